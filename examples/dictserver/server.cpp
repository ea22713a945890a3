// dictserver: replays a deterministic query load against a TermDictionary.
//
//   dictserver [QUERIES [DUMP_EVERY]]
//
// Every 1000 queries the dictionary is reloaded (alternately with reload() and rebuild()).  Built with
// -DDICTSERVER_HEAP_PROFILER and run under HEAPPROFILE=prefix, it writes a heap profile every DUMP_EVERY
// queries (between requests, so that no request's temporaries are caught in a snapshot).
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include "term_dict.h"

#ifdef DICTSERVER_HEAP_PROFILER
#include <gperftools/heap-profiler.h>
#endif

namespace {

const char* const kWords[] = {
    "apple",  "banana", "cherry", "date",   "elder",  "fig",    "grape",  "hazel",  "iris",   "juniper",
    "kiwi",   "lemon",  "mango",  "nectar", "olive",  "peach",  "quince", "raisin", "sage",   "thyme",
    "umber",  "vanilla", "walnut", "yam",   "zest",   "basil",  "clove",  "dill",   "fennel", "ginger",
    "hops",   "indigo", "jasmine", "kale",  "lime",   "mint",   "nutmeg", "onion",  "pepper", "rose",
};
constexpr int kNumWords = sizeof kWords / sizeof kWords[0];
constexpr long kBatch = 100;
constexpr long kReloadEvery = 1000;

// A small LCG: the same load on every run and every machine.
struct Rng {
  unsigned long state;
  unsigned next(unsigned bound) {
    state = state * 6364136223846793005UL + 1442695040888963407UL;
    return static_cast<unsigned>(state >> 33) % bound;
  }
};

std::vector<std::string> make_terms(int generation) {
  std::vector<std::string> terms;
  // Two thirds of the words are terms; which ones changes with each generation.
  for (int i = 0; i < kNumWords; ++i) {
    if ((i + generation) % 3 != 0) {
      terms.push_back(kWords[i]);
    }
  }
  for (int i = 0; i < 160; ++i) {
    terms.push_back(std::string(kWords[i % kNumWords]) + "-" + kWords[(i * 7 + generation) % kNumWords]);
  }
  return terms;
}

std::string make_batch(Rng* rng, long n) {
  std::string batch;
  for (long i = 0; i < n; ++i) {
    unsigned words = 1 + rng->next(3);
    for (unsigned w = 0; w < words; ++w) {
      if (w != 0) {
        batch += ' ';
      }
      batch += kWords[rng->next(kNumWords)];
      batch += std::to_string(rng->next(1000));
    }
    if (rng->next(16) == 0) {
      batch += '\x01';  // a malformed query
    }
    batch += '\n';
  }
  return batch;
}

void checkpoint(const char* reason) {
#ifdef DICTSERVER_HEAP_PROFILER
  if (IsHeapProfilerRunning()) {
    HeapProfilerDump(reason);
  }
#else
  (void)reason;
#endif
}

}  // namespace

int main(int argc, char** argv) {
  long queries = argc > 1 ? std::atol(argv[1]) : 20000;
  long dump_every = argc > 2 ? std::atol(argv[2]) : 0;
  dictserver::TermDictionary dict(64);
  dictserver::QueryCache cache(6000);
  dictserver::AuditLog audit;
  if (!dict.load(make_terms(0))) {
    std::fputs("dictserver: cannot load the dictionary\n", stderr);
    return 1;
  }
  Rng rng{42};
  long done = 0, matched = 0, dropped = 0;
  int generation = 0;
  while (done < queries) {
    std::vector<std::string> batch;
    dropped += dictserver::split_queries(make_batch(&rng, kBatch), &batch);
    for (const std::string& query : batch) {
      if (cache.find(query) == nullptr) {
        std::vector<int> ids;
        int n = dict.search(query, &ids);
        if (n > 0) {
          ++matched;
          audit.record(query, dict.count_hits(query));
          dict.best_hit(query);
        }
        cache.put(query, ids);
      }
    }
    done += kBatch;
    if (done % kReloadEvery == 0) {
      ++generation;
      if (generation % 2 == 1) {
        dict.reload(make_terms(generation));
      } else {
        dict.rebuild(make_terms(generation));
      }
    }
    if (dump_every > 0 && done % dump_every == 0) {
      checkpoint("checkpoint");
    }
  }
  std::printf("dictserver: %ld queries, %ld matched, %ld dropped, %zu terms, %zu cached, %zu audited\n", done,
              matched, dropped, dict.size(), cache.size(), audit.size());
  return 0;
}
