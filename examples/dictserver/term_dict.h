// The dictionary service: a C++ owner of tmatch dictionaries, and the small helpers around it.
#ifndef DICTSERVER_TERM_DICT_H
#define DICTSERVER_TERM_DICT_H

#include <cstddef>
#include <list>
#include <string>
#include <unordered_map>
#include <vector>

#include "tmatch.h"

namespace dictserver {

class TermDictionary {
 public:
  explicit TermDictionary(std::size_t max_hits);
  ~TermDictionary();
  TermDictionary(const TermDictionary&) = delete;
  TermDictionary& operator=(const TermDictionary&) = delete;

  bool load(const std::vector<std::string>& terms);
  bool reload(const std::vector<std::string>& terms);
  bool rebuild(const std::vector<std::string>& terms);
  bool load_file(const char* path);

  // Ids of the terms found in `query`; returns their number, -1 on error.
  int search(const std::string& query, std::vector<int>* ids);
  int count_hits(const std::string& text) const;
  int best_hit(const std::string& query) const;
  std::size_t size() const;

 private:
  static void fill(tm_dict* dict, const std::vector<std::string>& terms);

  tm_dict* dict_ = nullptr;
  std::size_t max_hits_;
};

// Splits a newline-separated batch into queries, dropping unprintable ones; returns how many were dropped.
int split_queries(const std::string& batch, std::vector<std::string>* out);

// Results of recent queries, at most `capacity` of them (the oldest is evicted).
class QueryCache {
 public:
  explicit QueryCache(std::size_t capacity) : capacity_(capacity) {}
  const std::vector<int>* find(const std::string& query) const;
  void put(const std::string& query, const std::vector<int>& ids);
  std::size_t size() const { return entries_.size(); }

 private:
  std::size_t capacity_;
  std::list<std::string> order_;
  std::unordered_map<std::string, std::vector<int>> entries_;
};

// Every query that matched, for the audit trail.
class AuditLog {
 public:
  void record(const std::string& query, int hits);
  std::size_t size() const { return lines_.size(); }

 private:
  std::vector<std::string> lines_;
};

}  // namespace dictserver

#endif
