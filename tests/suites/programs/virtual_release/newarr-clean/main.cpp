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
        delete[] r;
    }
};

class NullSink : public Sink {
public:
    void consume(char *r) override { delete[] r; }
};

int pump(Sink &s, const char *name)
{
    char *r = new char[strlen(name) + 1];
    s.consume(r);
    return 0;
}

int main()
{
    FileSink f;
    NullSink n;
    return pump(f, "/dev/null") + pump(n, "/dev/null");
}
