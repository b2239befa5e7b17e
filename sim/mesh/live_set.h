#pragma once

#include <cstddef>

namespace meshsim::sim {

// An intrusive list of objects that own themselves while the run goes on (connections, calls) so
// the mesh can free whatever is still alive when it is torn down. O(1) insert and remove, no
// allocation. T derives from LiveSet<T>::Node.
template <class T>
class LiveSet {
 public:
  class Node {
   private:
    friend class LiveSet;
    Node* prev_ = nullptr;
    Node* next_ = nullptr;
  };

  void insert(T* item) {
    Node* node = item;
    node->next_ = head_;
    node->prev_ = nullptr;
    if (head_ != nullptr) {
      head_->prev_ = node;
    }
    head_ = node;
    ++size_;
  }
  void erase(T* item) {
    Node* node = item;
    (node->prev_ != nullptr ? node->prev_->next_ : head_) = node->next_;
    if (node->next_ != nullptr) {
      node->next_->prev_ = node->prev_;
    }
    node->prev_ = node->next_ = nullptr;
    --size_;
  }
  // Deletes every member (their destructors must not touch the set).
  void deleteAll() {
    while (head_ != nullptr) {
      Node* node = head_;
      head_ = node->next_;
      delete static_cast<T*>(node);
    }
    size_ = 0;
  }
  std::size_t size() const { return size_; }

 private:
  Node* head_ = nullptr;
  std::size_t size_ = 0;
};

}  // namespace meshsim::sim
