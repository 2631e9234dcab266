#include "recorder/service.h"

#include "recorder/etcd/etcd_service.h"
#include "recorder/redis/redis_service.h"
#include "recorder/zookeeper/zookeeper_service.h"

namespace fenceline::record {

std::unique_ptr<Service> MakeService(std::string_view name) {
  if (name == "etcd") return MakeEtcdService();
  if (name == "redis") return MakeRedisService();
  if (name == "zookeeper") return MakeZooKeeperService();
  return nullptr;
}

}  // namespace fenceline::record
