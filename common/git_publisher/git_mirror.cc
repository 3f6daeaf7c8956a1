#include "common/git_publisher/git_mirror.h"

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <mutex>
#include <system_error>
#include <vector>

namespace buildfarm::git_publisher {
namespace {

constexpr const char* kRemoteRef = "refs/buildfarm/remote";      // the branch as last fetched
constexpr const char* kKnownRef = "refs/buildfarm/known";        // previous fetch: a "have" for negotiation
constexpr const char* kOutgoingRef = "refs/buildfarm/outgoing";  // what Push sends

template <typename T, void (*Free)(T*)>
struct Freer {
  void operator()(T* p) const { Free(p); }
};
template <typename T, void (*Free)(T*)>
using Owned = std::unique_ptr<T, Freer<T, Free>>;
using OwnedRemote = Owned<git_remote, git_remote_free>;
using OwnedTree = Owned<git_tree, git_tree_free>;
using OwnedCommit = Owned<git_commit, git_commit_free>;
using OwnedBuilder = Owned<git_treebuilder, git_treebuilder_free>;
using OwnedReference = Owned<git_reference, git_reference_free>;
using OwnedEntry = Owned<git_tree_entry, git_tree_entry_free>;
using OwnedBlob = Owned<git_blob, git_blob_free>;
using OwnedSignature = Owned<git_signature, git_signature_free>;

void InitLibgit2Once() {
  static std::once_flag once;
  std::call_once(once, [] { git_libgit2_init(); });
}

}  // namespace

namespace {

// Shared by the fetch and push callbacks of one operation.
struct CallbackState {
  const RemoteAccess* access = nullptr;
  int* total_credential_calls = nullptr;
  int calls_this_operation = 0;
  std::optional<git_oid> expected_remote;
  bool check_lease = false;
  bool lease_broken = false;
  std::string ref_status;  // non-empty when the server refused the ref update
};

int AcquireCredential(git_credential** out, const char* /*url*/, const char* username_from_url,
                      unsigned int allowed_types, void* payload) {
  auto* state = static_cast<CallbackState*>(payload);
  const RemoteAccess& access = *state->access;
  // libgit2 calls again after every refusal; a wrong token must not loop forever.
  if (++state->calls_this_operation > access.max_credential_calls) return GIT_EAUTH;
  ++*state->total_credential_calls;
  if (allowed_types & GIT_CREDENTIAL_USERPASS_PLAINTEXT) {
    const char* token = std::getenv(access.token_env.c_str());
    if (token != nullptr && *token != '\0') return git_credential_userpass_plaintext_new(out, "x-access-token", token);
  }
  const char* user = username_from_url != nullptr ? username_from_url : "git";
  if (allowed_types & GIT_CREDENTIAL_USERNAME) return git_credential_username_new(out, user);
  if (allowed_types & GIT_CREDENTIAL_SSH_KEY) {
    const std::string& key = access.ssh_key_path;
    if (!key.empty()) return git_credential_ssh_key_new(out, user, nullptr, key.c_str(), nullptr);
    return git_credential_ssh_key_from_agent(out, user);
  }
  return GIT_PASSTHROUGH;  // no credential of an allowed type: libgit2 reports the failure
}

int CheckLease(const git_push_update** updates, size_t len, void* payload) {
  auto* state = static_cast<CallbackState*>(payload);
  if (!state->check_lease) return 0;
  for (size_t i = 0; i < len; ++i) {
    const git_oid& remote_old = updates[i]->src;
    bool matches = state->expected_remote ? git_oid_equal(&remote_old, &*state->expected_remote) != 0
                                          : git_oid_is_zero(&remote_old) != 0;
    if (!matches) {
      state->lease_broken = true;
      git_error_set_str(GIT_ERROR_REFERENCE, "the remote branch moved since it was fetched (lease)");
      return GIT_EUSER;
    }
  }
  return 0;
}

int RecordRefStatus(const char* /*refname*/, const char* status, void* payload) {
  auto* state = static_cast<CallbackState*>(payload);
  if (status != nullptr) state->ref_status = status;
  return 0;
}

git_remote_callbacks Callbacks(CallbackState* state) {
  git_remote_callbacks callbacks = GIT_REMOTE_CALLBACKS_INIT;
  callbacks.credentials = AcquireCredential;
  callbacks.push_negotiation = CheckLease;
  callbacks.push_update_reference = RecordRefStatus;
  callbacks.payload = state;
  return callbacks;
}

}  // namespace

Status GitFailure(std::string_view what, int error) {
  const git_error* last = git_error_last();
  std::string message = std::string(what) + ": " + (last != nullptr && last->message ? last->message : "libgit2 error") +
                        " (" + std::to_string(error) + ")";
  if (error == GIT_EAUTH) return {StatusCode::kUnauthenticated, message};
  if (error == GIT_ELOCKED) return {StatusCode::kConflict, message};
  if (last != nullptr && (last->klass == GIT_ERROR_NET || last->klass == GIT_ERROR_OS || last->klass == GIT_ERROR_SSH ||
                          last->klass == GIT_ERROR_HTTP || last->klass == GIT_ERROR_SSL)) {
    return Unavailable(message);
  }
  return Internal(message);
}

Result<std::unique_ptr<GitMirror>> GitMirror::Open(const std::string& dir, RemoteAccess access) {
  InitLibgit2Once();
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  if (ec) return IoError("publish state dir " + dir + ": " + ec.message());
  git_repository* repo = nullptr;
  int error = git_repository_open_bare(&repo, dir.c_str());
  if (error != 0) error = git_repository_init(&repo, dir.c_str(), /*is_bare=*/1);
  if (error != 0) return GitFailure("open mirror " + dir, error);
  return std::unique_ptr<GitMirror>(new GitMirror(dir, std::move(access), repo));
}

GitMirror::~GitMirror() { git_repository_free(repo_); }

Result<git_remote*> GitMirror::NewRemote() {
  git_remote* remote = nullptr;
  int error = git_remote_create_anonymous(&remote, repo_, access_.url.c_str());
  if (error != 0) return GitFailure("remote " + access_.url, error);
  return remote;
}

Result<std::optional<git_oid>> GitMirror::FetchHead() {
  // Keep the previous head as a local ref so the server sends only what is new, then forget the
  // remote ref so that a branch deleted on the remote is seen as absent.
  git_oid previous;
  if (git_reference_name_to_id(&previous, repo_, kRemoteRef) == 0) {
    git_reference* known = nullptr;
    if (git_reference_create(&known, repo_, kKnownRef, &previous, 1, "known") == 0) git_reference_free(known);
    git_reference* stale = nullptr;
    if (git_reference_lookup(&stale, repo_, kRemoteRef) == 0) {
      git_reference_delete(stale);
      git_reference_free(stale);
    }
  }
  auto remote = NewRemote();
  if (!remote.ok()) return remote.status();
  OwnedRemote owned(*remote);
  std::string refspec = "+refs/heads/" + access_.branch + ":" + kRemoteRef;
  char* specs[] = {refspec.data()};
  git_strarray refspecs = {specs, 1};
  CallbackState state{&access_, &credential_calls_};
  git_fetch_options options = GIT_FETCH_OPTIONS_INIT;
  options.callbacks = Callbacks(&state);
  options.download_tags = GIT_REMOTE_DOWNLOAD_TAGS_NONE;
  int error = git_remote_fetch(owned.get(), &refspecs, &options, nullptr);
  if (error != 0) return GitFailure("fetch " + access_.branch, error);
  git_oid head;
  if (git_reference_name_to_id(&head, repo_, kRemoteRef) != 0) {
    known_head_ = std::optional<git_oid>();
  } else {
    known_head_ = std::optional<git_oid>(head);
  }
  return *known_head_;
}

Result<std::optional<git_oid>> GitMirror::KnownOrFetchedHead() {
  if (known_head_) {
    std::optional<git_oid> known = *known_head_;
    known_head_.reset();
    return known;
  }
  auto fetched = FetchHead();
  known_head_.reset();
  return fetched;
}

Result<std::optional<std::string>> GitMirror::ReadFile(const git_oid& commit_id, const std::string& path) {
  git_commit* commit = nullptr;
  int error = git_commit_lookup(&commit, repo_, &commit_id);
  if (error != 0) return GitFailure("read commit", error);
  OwnedCommit owned_commit(commit);
  git_tree* tree = nullptr;
  error = git_commit_tree(&tree, commit);
  if (error != 0) return GitFailure("read tree", error);
  OwnedTree owned_tree(tree);
  git_tree_entry* entry = nullptr;
  if (git_tree_entry_bypath(&entry, tree, path.c_str()) != 0) return std::optional<std::string>();
  OwnedEntry owned_entry(entry);
  if (git_tree_entry_type(entry) != GIT_OBJECT_BLOB) return std::optional<std::string>();
  git_blob* blob = nullptr;
  error = git_blob_lookup(&blob, repo_, git_tree_entry_id(entry));
  if (error != 0) return GitFailure("read " + path, error);
  OwnedBlob owned_blob(blob);
  const char* data = static_cast<const char*>(git_blob_rawcontent(blob));
  return std::optional<std::string>(std::string(data, static_cast<std::size_t>(git_blob_rawsize(blob))));
}

namespace {

// Writes `base` (may be null) with `files` (paths relative to this tree) inserted.
Result<git_oid> WriteTree(git_repository* repo, const git_tree* base, const std::map<std::string, std::string>& files) {
  git_treebuilder* builder = nullptr;
  int error = git_treebuilder_new(&builder, repo, base);
  if (error != 0) return GitFailure("tree builder", error);
  OwnedBuilder owned(builder);
  std::map<std::string, std::map<std::string, std::string>> subdirectories;
  for (const auto& [path, content] : files) {
    std::size_t slash = path.find('/');
    if (slash != std::string::npos) {
      subdirectories[path.substr(0, slash)][path.substr(slash + 1)] = content;
      continue;
    }
    git_oid blob;
    error = git_blob_create_from_buffer(&blob, repo, content.data(), content.size());
    if (error != 0) return GitFailure("write blob " + path, error);
    error = git_treebuilder_insert(nullptr, builder, path.c_str(), &blob, GIT_FILEMODE_BLOB);
    if (error != 0) return GitFailure("insert " + path, error);
  }
  for (const auto& [name, children] : subdirectories) {
    OwnedTree subtree;
    const git_tree_entry* existing = base != nullptr ? git_tree_entry_byname(base, name.c_str()) : nullptr;
    if (existing != nullptr && git_tree_entry_type(existing) == GIT_OBJECT_TREE) {
      git_tree* tree = nullptr;
      error = git_tree_lookup(&tree, repo, git_tree_entry_id(existing));
      if (error != 0) return GitFailure("read tree " + name, error);
      subtree.reset(tree);
    }
    auto child = WriteTree(repo, subtree.get(), children);
    if (!child.ok()) return child.status();
    error = git_treebuilder_insert(nullptr, builder, name.c_str(), &*child, GIT_FILEMODE_TREE);
    if (error != 0) return GitFailure("insert " + name, error);
  }
  git_oid written;
  error = git_treebuilder_write(&written, builder);
  if (error != 0) return GitFailure("write tree", error);
  return written;
}

}  // namespace

Result<git_oid> GitMirror::BuildTree(const git_oid* base, const std::map<std::string, std::string>& files) {
  OwnedTree base_tree;
  if (base != nullptr) {
    git_commit* commit = nullptr;
    int error = git_commit_lookup(&commit, repo_, base);
    if (error != 0) return GitFailure("read base commit", error);
    OwnedCommit owned(commit);
    git_tree* tree = nullptr;
    error = git_commit_tree(&tree, commit);
    if (error != 0) return GitFailure("read base tree", error);
    base_tree.reset(tree);
  }
  return WriteTree(repo_, base_tree.get(), files);
}

Result<int> GitMirror::ChainLength(const git_oid& commit_id, int limit) {
  int length = 0;
  git_oid current = commit_id;
  while (length < limit) {
    git_commit* commit = nullptr;
    int error = git_commit_lookup(&commit, repo_, &current);
    if (error != 0) return GitFailure("walk history", error);
    OwnedCommit owned(commit);
    ++length;
    if (git_commit_parentcount(commit) == 0) break;
    current = *git_commit_parent_id(commit, 0);
  }
  return length;
}

Result<git_oid> GitMirror::Commit(const git_oid& tree_id, const git_oid* parent_id, const std::string& author_name,
                                  const std::string& author_email, const std::string& message) {
  git_signature* signature = nullptr;
  int error = git_signature_now(&signature, author_name.c_str(), author_email.c_str());
  if (error != 0) return GitFailure("author", error);
  OwnedSignature owned_signature(signature);
  git_tree* tree = nullptr;
  error = git_tree_lookup(&tree, repo_, &tree_id);
  if (error != 0) return GitFailure("read new tree", error);
  OwnedTree owned_tree(tree);
  OwnedCommit parent;
  if (parent_id != nullptr) {
    git_commit* commit = nullptr;
    error = git_commit_lookup(&commit, repo_, parent_id);
    if (error != 0) return GitFailure("read parent", error);
    parent.reset(commit);
  }
  const git_commit* parents[] = {parent.get()};
  git_oid written;
  error = git_commit_create(&written, repo_, nullptr, signature, signature, nullptr, message.c_str(), tree,
                            parent ? 1 : 0, parents);
  if (error != 0) return GitFailure("commit", error);
  return written;
}

Result<PushResult> GitMirror::Push(const git_oid& commit, const std::optional<git_oid>& expected_remote, bool force) {
  git_reference* outgoing = nullptr;
  int error = git_reference_create(&outgoing, repo_, kOutgoingRef, &commit, 1, "outgoing");
  if (error != 0) return GitFailure("update " + std::string(kOutgoingRef), error);
  git_reference_free(outgoing);
  auto remote = NewRemote();
  if (!remote.ok()) return remote.status();
  OwnedRemote owned(*remote);
  std::string refspec = std::string(force ? "+" : "") + kOutgoingRef + ":refs/heads/" + access_.branch;
  char* specs[] = {refspec.data()};
  git_strarray refspecs = {specs, 1};
  CallbackState state{&access_, &credential_calls_};
  state.expected_remote = expected_remote;
  state.check_lease = true;
  git_push_options options = GIT_PUSH_OPTIONS_INIT;
  options.callbacks = Callbacks(&state);
  error = git_remote_push(owned.get(), &refspecs, &options);
  if (state.lease_broken) return PushResult{PushOutcome::kRejected, "lease: the remote branch moved"};
  if (error == GIT_ENONFASTFORWARD) return PushResult{PushOutcome::kRejected, "non-fast-forward"};
  if (error != 0) return GitFailure("push " + access_.branch, error);
  // git_remote_push returns 0 even when the server refused the update; only this status tells.
  if (!state.ref_status.empty()) return PushResult{PushOutcome::kRejected, state.ref_status};
  known_head_ = std::optional<git_oid>(commit);
  return PushResult{PushOutcome::kPushed, ""};
}

std::uint64_t GitMirror::ObjectBytes() const {
  std::uint64_t bytes = 0;
  std::error_code ec;
  for (auto it = std::filesystem::recursive_directory_iterator(dir_ + "/objects", ec);
       !ec && it != std::filesystem::recursive_directory_iterator(); it.increment(ec)) {
    if (it->is_regular_file(ec)) bytes += it->file_size(ec);
  }
  return bytes;
}

std::vector<std::string> GitMirror::RemoveStaleLocks(double max_age_seconds) {
  namespace fs = std::filesystem;
  std::vector<std::string> removed;
  std::error_code ec;
  const auto now = fs::file_time_type::clock::now();
  for (auto it = fs::recursive_directory_iterator(dir_, fs::directory_options::skip_permission_denied, ec);
       !ec && it != fs::recursive_directory_iterator(); it.increment(ec)) {
    if (it->path().filename() == "objects") {
      it.disable_recursion_pending();
      continue;
    }
    if (!it->is_regular_file(ec) || it->path().extension() != ".lock") continue;
    auto modified = fs::last_write_time(it->path(), ec);
    if (ec) continue;
    double age = std::chrono::duration<double>(now - modified).count();
    if (age < max_age_seconds) continue;
    if (fs::remove(it->path(), ec)) removed.push_back(fs::relative(it->path(), dir_, ec).string());
  }
  return removed;
}

}  // namespace buildfarm::git_publisher
