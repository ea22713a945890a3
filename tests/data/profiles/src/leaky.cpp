// leaky.cpp - a tiny request handler with one seeded leak, a churn decoy and a
// bounded cache (a plateau), built and run by leakscan's profile tests.
//   usage: leaky [n_requests] [snapshot_every] [sample_dir]
// With tcmalloc (-DWITH_TCMALLOC) every `snapshot_every` requests it calls
// HeapProfilerDump() when HEAPPROFILE is set, and writes GetHeapSample()
// (what brpc's /pprof/heap serves) to sample_dir/sample.NNNN.heap when a
// sample_dir is given; at the end it writes sample_dir/growth.prof.
// With jemalloc (-DWITH_JEMALLOC) it calls mallctl("prof.dump") instead when
// profiling is on (MALLOC_CONF=prof:true): PREFIX.PID.SEQ.mN.heap.
// Lines carrying an "@name" marker are looked up by the tests: keep them.
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <string>

#ifndef LEAKY_VARIANT
#define LEAKY_VARIANT 1
#endif

#ifdef WITH_TCMALLOC
#include <gperftools/heap-profiler.h>
#include <gperftools/malloc_extension.h>
#endif
#ifdef WITH_JEMALLOC
#include <jemalloc/jemalloc.h>
#endif

namespace svc {

const size_t kBodySize = 4096;
const size_t kScratchSize = 65536;
const int kCacheSlots = 256;
const size_t kCacheEntry = 8192;

struct Request {
    int id;
    size_t len;
    char* body;
};

Request* make_request(int id, size_t len) {
    Request* r = new Request;  // @alloc-request
    r->id = id;
    r->len = len;
    r->body = static_cast<char*>(malloc(len));  // @alloc-body
    memset(r->body, 'a' + id % 26, len);
    return r;
}

void free_request(Request* r) {
    free(r->body);
    delete r;
}

class Handler {
 public:
    int handle(int id, const std::string& route);
    long churn(int id);
    void remember(int id);

 private:
    char* cache_[kCacheSlots];
    int used_ = 0;
};

// Every 4th request is rejected, and the rejected path forgets to release it.
int Handler::handle(int id, const std::string& route) {
    Request* r = make_request(id, kBodySize);  // @leak-call
    if (id % 4 == 0) {
        return -1;  // @leak-exit
    }
    long sum = 0;
    for (size_t i = 0; i < r->len; i += 512) {
        sum += r->body[i];
    }
    free_request(r);
    return static_cast<int>(sum % 7) + static_cast<int>(route.size());
}

// Decoy: a large temporary buffer per request, always freed.
long Handler::churn(int id) {
    char* scratch = static_cast<char*>(malloc(kScratchSize));  // @decoy-alloc
    memset(scratch, id & 0x7f, kScratchSize);
    long acc = 0;
    for (size_t i = 0; i < kScratchSize; i += 4096) {
        acc += scratch[i];
    }
    free(scratch);
    return acc;
}

// Plateau: the cache fills up during the first requests and then stays.
void Handler::remember(int id) {
    if (used_ < kCacheSlots) {
        cache_[used_] = static_cast<char*>(malloc(kCacheEntry));  // @plateau-alloc
        cache_[used_][0] = static_cast<char>(id);
        ++used_;
    }
}

}  // namespace svc

namespace {

svc::Handler g_handler;  // global, so the cache stays reachable at exit

void write_text(const char* dir, const char* name, const std::string& text) {
    std::string path = std::string(dir) + "/" + name;
    FILE* fp = fopen(path.c_str(), "w");
    if (fp == NULL) {
        perror(path.c_str());
        exit(2);
    }
    fwrite(text.data(), 1, text.size(), fp);
    fclose(fp);
}

void snapshot(const char* sample_dir, int seq) {
#ifdef WITH_TCMALLOC
    if (IsHeapProfilerRunning()) {
        HeapProfilerDump("snapshot");
    }
    if (sample_dir != NULL) {
        std::string text;
        MallocExtension::instance()->GetHeapSample(&text);
        char name[64];
        snprintf(name, sizeof(name), "sample.%04d.heap", seq);
        write_text(sample_dir, name, text);
    }
#else
    (void)sample_dir;
    (void)seq;
#endif
#ifdef WITH_JEMALLOC
    bool active = false;
    size_t size = sizeof active;
    if (mallctl("prof.active", &active, &size, NULL, 0) == 0 && active) {
        mallctl("prof.dump", NULL, NULL, NULL, 0);
    }
#endif
}

}  // namespace

int main(int argc, char** argv) {
    int n = argc > 1 ? atoi(argv[1]) : 4000;
    int every = argc > 2 ? atoi(argv[2]) : 0;
    const char* sample_dir = argc > 3 ? argv[3] : NULL;
    static const char* const kRoutes[] = {"/search", "/suggest", "/health"};
    long total = 0;
    int seq = 0;
    for (int id = 1; id <= n; ++id) {
        total += g_handler.handle(id, kRoutes[id % 3]);  // @main-handle
        total += g_handler.churn(id);
        if (id % 2 == 1) {
            g_handler.remember(id);
        }
        if (every > 0 && id % every == 0) {
            snapshot(sample_dir, ++seq);
        }
    }
#ifdef WITH_TCMALLOC
    if (sample_dir != NULL) {
        std::string text;
        MallocExtension::instance()->GetHeapGrowthStacks(&text);
        write_text(sample_dir, "growth.prof", text);
    }
#endif
    printf("requests=%d leaked=%d total=%ld variant=%d\n", n, n / 4, total, LEAKY_VARIANT);
    return 0;
}
