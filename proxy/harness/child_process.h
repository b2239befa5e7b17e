#pragma once

#include <sys/types.h>
#include <chrono>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace meshsim::proxy {

// A process the harness started, stopped and reaped when this object goes away, whatever happened
// in between (DESIGN: the harness stops everything it started). Its stdout is a pipe the harness
// reads its ready line from; its stderr is the harness's. The child gets kDieWithParentVariable,
// so it also goes if the harness is killed outright.
class ChildProcess {
 public:
  // `fds`: (harness fd, child fd) pairs the child inherits, e.g. listening sockets as 3, 4, 5.
  // Throws std::runtime_error when the program cannot be started.
  ChildProcess(const std::vector<std::string>& argv, const std::vector<std::pair<int, int>>& fds);
  ~ChildProcess();
  ChildProcess(const ChildProcess&) = delete;
  ChildProcess& operator=(const ChildProcess&) = delete;

  // The next line of the child's stdout, or nullopt on timeout or end of output.
  std::optional<std::string> readLine(std::chrono::milliseconds timeout);
  // SIGTERM, then SIGKILL after `grace`; reaps the child. Returns its wait status text.
  std::string stop(std::chrono::milliseconds grace = std::chrono::milliseconds(2000));
  // True while the child has not exited (reaps it if it has).
  bool running();
  // CPU time (user + system) the running child has used so far; zero once it is gone.
  std::chrono::nanoseconds cpuTime() const;
  pid_t pid() const { return pid_; }
  const std::string& name() const { return name_; }

 private:
  std::string name_;
  pid_t pid_ = -1;
  int stdout_ = -1;
  std::string buffered_;
  std::optional<int> status_;
};

// Listening TCP sockets on 127.0.0.1 with a kernel-chosen port, made by the harness so that every
// port is known before any process starts. The descriptor is close-on-exec and numbered high, so
// it reaches a child only where ChildProcess maps it.
class LoopbackListener {
 public:
  LoopbackListener();
  ~LoopbackListener();
  LoopbackListener(LoopbackListener&& other) noexcept
      : fd_(std::exchange(other.fd_, -1)), port_(other.port_) {}
  LoopbackListener& operator=(LoopbackListener&&) = delete;

  int fd() const { return fd_; }
  unsigned short port() const { return port_; }
  std::string address() const { return "127.0.0.1:" + std::to_string(port_); }
  // The children hold their copies; the harness's must go, or a dead child's port would keep
  // accepting connections nobody serves.
  void close();

 private:
  int fd_ = -1;
  unsigned short port_ = 0;
};

}  // namespace meshsim::proxy
