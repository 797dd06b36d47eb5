#pragma once
// The console's JSON API documents (GET /api/cluster, /api/topics, /api/groups, /api/state),
// rendered from a ClusterView. Field names are the page's contract (assets/console.js).
// Nothing secret is ever part of a ClusterView, so nothing secret can be rendered.

#include "broker/console/cluster_view.h"

#include <string>

namespace samsa::console {

// {"clusterId","controller","servedBy","generatedAt","brokers":[{"id","host","port","rack",
//   "endpoints","controller","upSince"}],"warnings":[...]}
std::string cluster_json(const ClusterView& view);
// {"topics":[{"name","internal","error","partitions":[{"partition","leader","replicas","isr",
//   "offlineReplicas","status","size","endOffset"}],"underReplicated","offline","size"}]}
std::string topics_json(const ClusterView& view);
// {"groups":[{"group","state","protocol","coordinator","members":[{"memberId","clientId",
//   "host","assignment":["t-0"]}],"offsets":[{"topic","partition","committed","endOffset",
//   "lag"}],"totalLag","error"}]}
std::string groups_json(const ClusterView& view);
// The three together, one object: {"cluster":{...},"topics":[...],"groups":[...]}.
std::string state_json(const ClusterView& view);

}  // namespace samsa::console
