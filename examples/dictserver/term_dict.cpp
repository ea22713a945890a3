// TermDictionary and its helpers.
#include "term_dict.h"

#include <algorithm>
#include <cctype>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <utility>

namespace dictserver {

namespace {

struct PackDeleter {
  void operator()(tm_pack* pack) const { tm_pack_del(pack); }
};
using PackPtr = std::unique_ptr<tm_pack, PackDeleter>;

bool is_printable(const char* text) {
  for (const char* p = text; *p != '\0'; ++p) {
    if (!std::isprint(static_cast<unsigned char>(*p))) {
      return false;
    }
  }
  return true;
}

}  // namespace

TermDictionary::TermDictionary(std::size_t max_hits) : max_hits_(max_hits) {}

TermDictionary::~TermDictionary() { tm_dict_del(dict_); }

void TermDictionary::fill(tm_dict* dict, const std::vector<std::string>& terms) {
  int id = 0;
  for (const std::string& term : terms) {
    tm_dict_add(dict, term.c_str(), id++);
  }
}

bool TermDictionary::load(const std::vector<std::string>& terms) {
  if (dict_ != nullptr) {
    return false;
  }
  dict_ = tm_dict_create(terms.size());
  if (dict_ == nullptr) {
    return false;
  }
  fill(dict_, terms);
  return true;
}

bool TermDictionary::reload(const std::vector<std::string>& terms) {
  tm_dict* fresh = tm_dict_create(terms.size());
  if (fresh == nullptr) {
    return false;
  }
  fill(fresh, terms);
  dict_ = fresh;
  return true;
}

bool TermDictionary::rebuild(const std::vector<std::string>& terms) {
  tm_dict* fresh = tm_dict_create(terms.size());
  if (fresh == nullptr) {
    return false;
  }
  fill(fresh, terms);
  std::swap(dict_, fresh);
  tm_dict_del(fresh);
  return true;
}

bool TermDictionary::load_file(const char* path) {
  FILE* in = std::fopen(path, "r");
  if (in == nullptr) {
    return false;
  }
  char line[64];
  if (std::fgets(line, sizeof line, in) == nullptr || std::strncmp(line, "#terms", 6) != 0) {
    return false;
  }
  std::vector<std::string> terms;
  while (std::fgets(line, sizeof line, in) != nullptr) {
    line[std::strcspn(line, "\r\n")] = '\0';
    terms.emplace_back(line);
  }
  std::fclose(in);
  return dict_ == nullptr ? load(terms) : rebuild(terms);
}

int TermDictionary::search(const std::string& query, std::vector<int>* ids) {
  tm_pack* pack = tm_pack_create(dict_, max_hits_);
  if (pack == nullptr) {
    return -1;
  }
  int n = tm_pack_match(pack, query.c_str());
  if (n <= 0) {
    return n;
  }
  for (int i = 0; i < n; ++i) {
    ids->push_back(tm_pack_hit(pack, i));
  }
  tm_pack_del(pack);
  return n;
}

int TermDictionary::count_hits(const std::string& text) const {
  tm_pack* pack = tm_pack_create(dict_, max_hits_);
  if (pack == nullptr) {
    return -1;
  }
  int n = tm_pack_match(pack, text.c_str());
  if (n < 0) {
    tm_pack_del(pack);
    return -1;
  }
  if (n == 0) {
    tm_pack_del(pack);
    return 0;
  }
  tm_pack_del(pack);
  return n;
}

int TermDictionary::best_hit(const std::string& query) const {
  PackPtr pack(tm_pack_create(dict_, max_hits_));
  if (!pack) {
    return -1;
  }
  int n = tm_pack_match(pack.get(), query.c_str());
  if (n <= 0) {
    return -1;
  }
  int best = tm_pack_hit(pack.get(), 0);
  for (int i = 1; i < n; ++i) {
    best = std::max(best, tm_pack_hit(pack.get(), i));
  }
  return best;
}

std::size_t TermDictionary::size() const { return dict_ == nullptr ? 0 : tm_dict_size(dict_); }

int split_queries(const std::string& batch, std::vector<std::string>* out) {
  int dropped = 0;
  std::size_t start = 0;
  while (start < batch.size()) {
    std::size_t end = batch.find('\n', start);
    if (end == std::string::npos) {
      end = batch.size();
    }
    std::size_t len = end - start;
    char* buf = static_cast<char*>(std::malloc(len + 1));
    if (buf == nullptr) {
      return -1;
    }
    std::memcpy(buf, batch.data() + start, len);
    buf[len] = '\0';
    start = end + 1;
    if (!is_printable(buf)) {
      ++dropped;
      continue;
    }
    out->emplace_back(buf);
    std::free(buf);
  }
  return dropped;
}

const std::vector<int>* QueryCache::find(const std::string& query) const {
  auto it = entries_.find(query);
  return it == entries_.end() ? nullptr : &it->second;
}

void QueryCache::put(const std::string& query, const std::vector<int>& ids) {
  if (entries_.count(query) != 0) {
    return;
  }
  if (entries_.size() >= capacity_) {
    entries_.erase(order_.front());
    order_.pop_front();
  }
  order_.push_back(query);
  entries_.emplace(query, ids);
}

void AuditLog::record(const std::string& query, int hits) {
  lines_.push_back(std::to_string(hits) + " hit(s) for query: " + query);
}

}  // namespace dictserver
