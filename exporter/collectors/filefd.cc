#include "exporter/collectors/filefd.h"

#include "common/text.h"
#include "exporter/procfs/kept_open_file.h"

namespace buildfarm::exporter {

Result<FileNr> ParseFileNr(std::string_view text) {
  auto fields = text::Fields(text::Trim(text));
  if (fields.size() != 3) return ParseError("file-nr: want 3 fields, got " + std::to_string(fields.size()));
  auto allocated = text::ParseUint64(fields[0]);
  auto maximum = text::ParseUint64(fields[2]);
  if (!allocated || !maximum) return ParseError("file-nr: fields 1 and 3 must be unsigned integers");
  return FileNr{static_cast<double>(*allocated), static_cast<double>(*maximum)};
}

namespace {

class FilefdCollector : public Collector {
 public:
  explicit FilefdCollector(std::string path) : file_(std::move(path), 4096) {}
  std::string_view name() const override { return "filefd"; }

  Status Collect(Families& out) override {
    auto text = file_.Read();
    if (!text.ok()) return text.status();
    auto file_nr = ParseFileNr(*text);
    if (!file_nr.ok()) return file_nr.status();
    AddSingle(out, "node_filefd_allocated", "File descriptor statistics: allocated.", kGauge, file_nr->allocated);
    AddSingle(out, "node_filefd_maximum", "File descriptor statistics: maximum.", kGauge, file_nr->maximum);
    return Status::Ok();
  }

 private:
  KeptOpenFile file_;
};

}  // namespace

CollectorSpec MakeFilefdSpec() {
  CollectorSpec spec;
  spec.name = "filefd";
  spec.create = [](const CollectorEnv& env) -> Result<std::unique_ptr<Collector>> {
    return std::unique_ptr<Collector>(std::make_unique<FilefdCollector>(env.paths.Proc("sys/fs/file-nr")));
  };
  return spec;
}

}  // namespace buildfarm::exporter
