#include <cstdio>
#include <cstdlib>
#include <cstring>

class Sink {
public:
    virtual ~Sink() {}
    virtual void consume(FILE *r) = 0;
};

class FileSink : public Sink {
public:
    void consume(FILE *r) override
    {
        (void)fgetc(r);
        fclose(r);
    }
};

class NullSink : public Sink {
public:
    void consume(FILE *r) override { fclose(r); }
};

int pump(Sink &s, const char *name)
{
    FILE *r = fopen(name, "r");
    if (r == nullptr)
        return -1;
    s.consume(r);
    return 0;
}

int main()
{
    FileSink f;
    NullSink n;
    return pump(f, "/dev/null") + pump(n, "/dev/null");
}
