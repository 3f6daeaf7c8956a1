// nvme collector: node_nvme_info{device,firmware_revision,model,serial,state} from /sys/class/nvme,
// as node_exporter 1.5 serves it.
//
// Every controller must have firmware_rev, model, serial and state: a missing one (or no
// /sys/class/nvme) is "no data" (kNotFound) as in node_exporter, any other failure an error; a
// controller removed between listing and reading is skipped (node_exporter fails the scrape).
// node_exporter 1.5 panics on a label that is not valid UTF-8 (a garbled serial); we replace the
// invalid bytes instead. The collector holds only its directory path and is thread-safe.
#pragma once

#include "exporter/collector_spec.h"

namespace buildfarm::exporter {

CollectorSpec MakeNvmeSpec();

}  // namespace buildfarm::exporter
