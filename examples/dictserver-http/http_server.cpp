// dictserver-http: the dictserver example (../dictserver) as a long-running HTTP service, with the pprof
// pages that gperftools-based and brpc servers serve, so that `leakscan watch` can watch it live.
//
//   dictserver-http [--host 127.0.0.1] [--port 0]      (port 0: any free port; the one taken is printed)
//
// Pages:
//   GET  /replay?queries=N   run the next N queries of the deterministic load of ../dictserver/server.cpp
//                            (batches of 100, a reload every 1000 queries); answers when they are done
//   GET  /pprof/heap         the heap in use: the heap profiler's GetHeapProfile() when it runs (the default),
//                            else tcmalloc's sampled heap (MallocExtension::GetHeapSample, as brpc serves it;
//                            start with TCMALLOC_SAMPLE_PARAMETER=524288 to get that)
//   GET  /pprof/symbol       "num_symbols: 1": this service names addresses
//   POST /pprof/symbol       0xADDR+0xADDR...  ->  one "0xADDR<tab>name" line per address dladdr() names
//   GET  /pprof/cmdline      the command line, one argument per line
//   GET  /stats              queries run, heap snapshots served (a load driver waits on these)
//
// Requests that touch the dictionary and heap snapshots take one lock, so a snapshot never sees a request's
// temporaries (like the checkpoints of ../dictserver/server.cpp). Linked with -rdynamic so that dladdr()
// names the program's own functions; what it cannot name (static functions, lambdas) stays unresolved.
#include <cxxabi.h>
#include <dlfcn.h>
#include <gperftools/heap-profiler.h>
#include <gperftools/malloc_extension.h>
#include <httplib.h>

#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <mutex>
#include <sstream>
#include <string>
#include <vector>

#include "term_dict.h"

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

// The same load as ../dictserver/server.cpp: an LCG, so every run sees the same queries.
struct Rng {
  unsigned long state;
  unsigned next(unsigned bound) {
    state = state * 6364136223846793005UL + 1442695040888963407UL;
    return static_cast<unsigned>(state >> 33) % bound;
  }
};

std::vector<std::string> make_terms(int generation) {
  std::vector<std::string> terms;
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
      batch += '\x01';
    }
    batch += '\n';
  }
  return batch;
}

// The service's state; every use holds `lock`.
struct Service {
  std::mutex lock;
  dictserver::TermDictionary dict{64};
  dictserver::QueryCache cache{6000};
  dictserver::AuditLog audit;
  Rng rng{42};
  long done = 0;
  int generation = 0;
  std::atomic<long> queries{0};
  std::atomic<long> snapshots{0};

  void replay(long n) {
    for (long k = 0; k < n; k += kBatch) {
      std::vector<std::string> batch;
      dictserver::split_queries(make_batch(&rng, kBatch), &batch);
      for (const std::string& query : batch) {
        if (cache.find(query) == nullptr) {
          std::vector<int> ids;
          if (dict.search(query, &ids) > 0) {
            audit.record(query, dict.count_hits(query));
            dict.best_hit(query);
          }
          cache.put(query, ids);
        }
      }
      done += kBatch;
      queries.store(done);
      if (done % kReloadEvery == 0) {
        ++generation;
        if (generation % 2 == 1) {
          dict.reload(make_terms(generation));
        } else {
          dict.rebuild(make_terms(generation));
        }
      }
    }
  }
};

std::string heap_page() {
  if (IsHeapProfilerRunning()) {
    char* profile = GetHeapProfile();
    std::string text = profile != nullptr ? profile : "";
    std::free(profile);
    return text;
  }
  std::string text;
  MallocExtension::instance()->GetHeapSample(&text);
  return text;
}

std::string symbol_name(unsigned long address) {
  Dl_info info;
  if (dladdr(reinterpret_cast<void*>(address), &info) == 0 || info.dli_sname == nullptr) {
    return "";
  }
  int status = 0;
  char* demangled = abi::__cxa_demangle(info.dli_sname, nullptr, nullptr, &status);
  std::string name = status == 0 && demangled != nullptr ? demangled : info.dli_sname;
  std::free(demangled);
  return name;
}

// pprof's symbol request: hex addresses joined by '+'.
std::string symbols_page(const std::string& body) {
  std::ostringstream out;
  std::stringstream in(body);
  std::string item;
  while (std::getline(in, item, '+')) {
    unsigned long address = std::strtoul(item.c_str(), nullptr, 16);
    std::string name = address != 0 ? symbol_name(address) : "";
    if (!name.empty()) {
      char head[32];
      std::snprintf(head, sizeof head, "0x%lx\t", address);
      out << head << name << '\n';
    }
  }
  return out.str();
}

}  // namespace

int main(int argc, char** argv) {
  std::string host = "127.0.0.1";
  int port = 0;
  for (int i = 1; i + 1 < argc; i += 2) {
    if (std::strcmp(argv[i], "--host") == 0) {
      host = argv[i + 1];
    } else if (std::strcmp(argv[i], "--port") == 0) {
      port = std::atoi(argv[i + 1]);
    }
  }
  if (std::getenv("TCMALLOC_SAMPLE_PARAMETER") == nullptr && !IsHeapProfilerRunning()) {
    // No sampling asked for: the heap profiler, in memory only (its automatic dumps need GBs of allocation).
    const char* tmp = std::getenv("TMPDIR");
    HeapProfilerStart((std::string(tmp != nullptr ? tmp : "/tmp") + "/dictserver-http").c_str());
  }
  static Service service;
  if (!service.dict.load(make_terms(0))) {
    std::fputs("dictserver-http: cannot load the dictionary\n", stderr);
    return 1;
  }
  std::string cmdline;
  for (int i = 0; i < argc; ++i) {
    cmdline += std::string(argv[i]) + "\n";
  }

  httplib::Server server;
  server.Get("/replay", [](const httplib::Request& req, httplib::Response& res) {
    long n = req.has_param("queries") ? std::atol(req.get_param_value("queries").c_str()) : kBatch;
    std::lock_guard<std::mutex> hold(service.lock);
    service.replay(n);
    res.set_content("queries " + std::to_string(service.done) + "\n", "text/plain");
  });
  server.Get("/pprof/heap", [](const httplib::Request&, httplib::Response& res) {
    std::lock_guard<std::mutex> hold(service.lock);
    res.set_content(heap_page(), "text/plain");
    service.snapshots.fetch_add(1);
  });
  server.Get("/pprof/symbol", [](const httplib::Request&, httplib::Response& res) {
    res.set_content("num_symbols: 1\n", "text/plain");
  });
  server.Post("/pprof/symbol", [](const httplib::Request& req, httplib::Response& res) {
    res.set_content(symbols_page(req.body), "text/plain");
  });
  server.Get("/pprof/cmdline", [&cmdline](const httplib::Request&, httplib::Response& res) {
    res.set_content(cmdline, "text/plain");
  });
  server.Get("/stats", [](const httplib::Request&, httplib::Response& res) {
    res.set_content("queries " + std::to_string(service.queries.load()) + "\nsnapshots " +
                        std::to_string(service.snapshots.load()) + "\n",
                    "text/plain");
  });
  if (port == 0) {
    port = server.bind_to_any_port(host.c_str());
  } else if (!server.bind_to_port(host.c_str(), port)) {
    port = -1;
  }
  if (port < 0) {
    std::fprintf(stderr, "dictserver-http: cannot listen on %s\n", host.c_str());
    return 1;
  }
  std::printf("dictserver-http: listening on http://%s:%d\n", host.c_str(), port);
  std::fflush(stdout);
  return server.listen_after_bind() ? 0 : 1;
}
