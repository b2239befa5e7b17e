#include "proxy/harness/child_process.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <spawn.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>
#include <cerrno>
#include <csignal>
#include <cstring>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <thread>

#include "proxy/common/process_options.h"

extern char** environ;

namespace meshsim::proxy {

namespace {

// Descriptors the harness keeps for itself start here, above every child fd it maps.
constexpr int kFirstHarnessFd = 100;

std::runtime_error systemError(const std::string& what) {
  return std::runtime_error(what + ": " + std::strerror(errno));
}

}  // namespace

ChildProcess::ChildProcess(const std::vector<std::string>& argv,
                           const std::vector<std::pair<int, int>>& fds)
    : name_(argv.at(0)) {
  int pipe_fds[2];
  if (::pipe2(pipe_fds, O_CLOEXEC) != 0) {
    throw systemError("pipe");
  }
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_adddup2(&actions, pipe_fds[1], STDOUT_FILENO);
  for (const auto& [from, to] : fds) {
    posix_spawn_file_actions_adddup2(&actions, from, to);
  }
  std::vector<std::string> environment;
  for (char** entry = environ; *entry != nullptr; ++entry) {
    environment.emplace_back(*entry);
  }
  environment.push_back(std::string(kDieWithParentVariable) + "=" + std::to_string(::getpid()));
  std::vector<char*> env_pointers;
  for (std::string& entry : environment) {
    env_pointers.push_back(entry.data());
  }
  env_pointers.push_back(nullptr);
  std::vector<std::string> args = argv;
  std::vector<char*> arg_pointers;
  for (std::string& arg : args) {
    arg_pointers.push_back(arg.data());
  }
  arg_pointers.push_back(nullptr);
  // The child starts with no signal blocked and default dispositions, whatever the harness
  // blocks or ignores for itself (SIGPIPE, or SIGTERM while it waits in --serve).
  posix_spawnattr_t attributes;
  posix_spawnattr_init(&attributes);
  sigset_t none;
  sigemptyset(&none);
  posix_spawnattr_setsigmask(&attributes, &none);
  sigset_t defaults;
  sigemptyset(&defaults);
  for (const int signal : {SIGPIPE, SIGINT, SIGTERM}) {
    sigaddset(&defaults, signal);
  }
  posix_spawnattr_setsigdefault(&attributes, &defaults);
  posix_spawnattr_setflags(&attributes, POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF);
  const int error = ::posix_spawn(&pid_, args[0].c_str(), &actions, &attributes,
                                  arg_pointers.data(), env_pointers.data());
  posix_spawnattr_destroy(&attributes);
  posix_spawn_file_actions_destroy(&actions);
  ::close(pipe_fds[1]);
  if (error != 0) {
    ::close(pipe_fds[0]);
    pid_ = -1;
    throw std::runtime_error("cannot start " + args[0] + ": " + std::strerror(error));
  }
  stdout_ = pipe_fds[0];
}

ChildProcess::~ChildProcess() {
  stop();
  if (stdout_ >= 0) {
    ::close(stdout_);
  }
}

std::optional<std::string> ChildProcess::readLine(std::chrono::milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (true) {
    if (const std::size_t newline = buffered_.find('\n'); newline != std::string::npos) {
      std::string line = buffered_.substr(0, newline);
      buffered_.erase(0, newline + 1);
      return line;
    }
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0 || stdout_ < 0) {
      return std::nullopt;
    }
    pollfd poll_fd{stdout_, POLLIN, 0};
    const int ready = ::poll(&poll_fd, 1, static_cast<int>(left.count()));
    if (ready < 0 && errno == EINTR) {
      continue;
    }
    if (ready <= 0) {
      return std::nullopt;
    }
    char chunk[512];
    const ssize_t n = ::read(stdout_, chunk, sizeof chunk);
    if (n <= 0) {
      return std::nullopt;
    }
    buffered_.append(chunk, static_cast<std::size_t>(n));
  }
}

bool ChildProcess::running() {
  if (pid_ < 0 || status_) {
    return false;
  }
  int status = 0;
  if (::waitpid(pid_, &status, WNOHANG) == pid_) {
    status_ = status;
    return false;
  }
  return true;
}

std::string ChildProcess::stop(std::chrono::milliseconds grace) {
  if (pid_ >= 0 && !status_) {
    ::kill(pid_, SIGTERM);
    const auto deadline = std::chrono::steady_clock::now() + grace;
    while (running() && std::chrono::steady_clock::now() < deadline) {
      std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
    if (!status_) {
      ::kill(pid_, SIGKILL);
      int status = 0;
      while (::waitpid(pid_, &status, 0) < 0 && errno == EINTR) {
      }
      status_ = status;
    }
  }
  if (!status_) {
    return "not started";
  }
  if (WIFEXITED(*status_)) {
    return "exit " + std::to_string(WEXITSTATUS(*status_));
  }
  return "signal " + std::to_string(WTERMSIG(*status_));
}

std::chrono::nanoseconds ChildProcess::cpuTime() const {
  std::ifstream stat("/proc/" + std::to_string(pid_) + "/stat");
  std::string text;
  std::getline(stat, text);
  // Fields 14 and 15 (utime, stime, in clock ticks) follow the parenthesised command name.
  const std::size_t close = text.rfind(')');
  if (close == std::string::npos) {
    return std::chrono::nanoseconds(0);
  }
  std::istringstream fields(text.substr(close + 2));
  std::string field;
  long long ticks = 0;
  for (int index = 3; index <= 15 && fields >> field; ++index) {
    if (index >= 14) {
      ticks += std::stoll(field);
    }
  }
  return std::chrono::nanoseconds(ticks * 1'000'000'000LL / ::sysconf(_SC_CLK_TCK));
}

LoopbackListener::LoopbackListener() {
  const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) {
    throw systemError("socket");
  }
  const int one = 1;
  ::setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t length = sizeof address;
  if (::bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0 ||
      ::listen(fd, SOMAXCONN) != 0 ||
      ::getsockname(fd, reinterpret_cast<sockaddr*>(&address), &length) != 0) {
    ::close(fd);
    throw systemError("listen on 127.0.0.1");
  }
  fd_ = ::fcntl(fd, F_DUPFD_CLOEXEC, kFirstHarnessFd);
  ::close(fd);
  if (fd_ < 0) {
    throw systemError("fcntl");
  }
  port_ = ntohs(address.sin_port);
}

LoopbackListener::~LoopbackListener() {
  close();
}

void LoopbackListener::close() {
  if (fd_ >= 0) {
    ::close(fd_);
    fd_ = -1;
  }
}

}  // namespace meshsim::proxy
