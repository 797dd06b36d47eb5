#pragma once
// The controller's ZooKeeper watch and session handlers: each only queues a controller event
// (the callbacks run on ZooKeeper's watch delivery, an inline executor, where nothing else may
// happen). Used by KafkaController's files only.

#include "zk/zk_handlers.h"

#include <functional>
#include <string>
#include <utility>

namespace samsa::controller {

// A data watch: creation and data changes run `changed`, deletion runs `deleted`.
class DataWatch : public zk::ZNodeChangeHandler {
  public:
    DataWatch(std::string path, std::function<void()> changed, std::function<void()> deleted)
        : ZNodeChangeHandler(std::move(path)),
          changed_(std::move(changed)),
          deleted_(std::move(deleted)) {}
    void on_create() override { changed_(); }
    void on_data_change() override { changed_(); }
    void on_delete() override { deleted_(); }

  private:
    std::function<void()> changed_;
    std::function<void()> deleted_;
};

// An exists watch that cares only about the node being created (Kafka's
// PartitionReassignmentHandler): the controller's own updates of the node are no news.
class CreationWatch : public zk::ZNodeChangeHandler {
  public:
    CreationWatch(std::string path, std::function<void()> created)
        : ZNodeChangeHandler(std::move(path)), created_(std::move(created)) {}
    void on_create() override { created_(); }

  private:
    std::function<void()> created_;
};

class ChildWatch : public zk::ZNodeChildChangeHandler {
  public:
    ChildWatch(std::string path, std::function<void()> changed)
        : ZNodeChildChangeHandler(std::move(path)), changed_(std::move(changed)) {}
    void on_child_change() override { changed_(); }

  private:
    std::function<void()> changed_;
};

class SessionWatch : public zk::StateChangeHandler {
  public:
    SessionWatch(std::function<void()> before, std::function<void()> after)
        : StateChangeHandler("controller-state-change-handler"),
          before_(std::move(before)),
          after_(std::move(after)) {}
    void before_initializing_session() override { before_(); }
    void after_initializing_session() override { after_(); }

  private:
    std::function<void()> before_;
    std::function<void()> after_;
};

}  // namespace samsa::controller
