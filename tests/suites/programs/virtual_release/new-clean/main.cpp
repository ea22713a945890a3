#include <cstdio>
#include <cstdlib>
#include <cstring>

#ifndef BUFFER_DEFINED
#define BUFFER_DEFINED
struct Buffer {
    explicit Buffer(const char *text) : len(strlen(text)) {}
    size_t len;
};
#endif

class Sink {
public:
    virtual ~Sink() {}
    virtual void consume(Buffer *r) = 0;
};

class FileSink : public Sink {
public:
    void consume(Buffer *r) override
    {
        r->len = 0;
        delete r;
    }
};

class NullSink : public Sink {
public:
    void consume(Buffer *r) override { delete r; }
};

int pump(Sink &s, const char *name)
{
    Buffer *r = new Buffer(name);
    s.consume(r);
    return 0;
}

int main()
{
    FileSink f;
    NullSink n;
    return pump(f, "/dev/null") + pump(n, "/dev/null");
}
