// textfile collector: metrics from the *.prom files in --collector.textfile.directory, with
// node_textfile_mtime_seconds{file} for each file served and node_textfile_scrape_error, as
// node_exporter 1.5. The flag defaults to empty, which serves only node_textfile_scrape_error 0;
// the directory may be a glob pattern matching several directories.
//
// A file that does not parse, carries timestamps, or conflicts with an earlier file (in sorted
// path order: the same metric with another HELP, TYPE or label set, or a series it already has) is
// not served at all; node_textfile_scrape_error is 1 and the log names the file and the line. A
// file deleted between listing the directory and reading it is skipped without an error (a job
// cleaning up is not a broken file). Parsing is textfile_parser.h; the collector keeps no mutable
// state and is thread-safe.
#pragma once

#include "exporter/collector_spec.h"

namespace buildfarm::exporter {

CollectorSpec MakeTextfileSpec();

}  // namespace buildfarm::exporter
