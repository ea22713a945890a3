#include <cstdio>
#include <cstdlib>
#include <cstring>

class Sink {
public:
    virtual ~Sink() {}
    virtual void consume(char *r) = 0;
};

class FileSink : public Sink {
public:
    void consume(char *r) override
    {
        r[0] = '\0';
    }
};

class NullSink : public Sink {
public:
    void consume(char *r) override { free(r); }
};

int pump(Sink &s, const char *name)
{
    char *r = static_cast<char *>(malloc(strlen(name) + 1));
    if (r == nullptr)
        return -1;
    s.consume(r);
    return 0;  // expect: resource-leak in pump
}

int main()
{
    FileSink f;
    NullSink n;
    return pump(f, "/dev/null") + pump(n, "/dev/null");
}
