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

class Status {
public:
    static Status OK() { return Status(0); }
    static Status IOError() { return Status(5); }
    bool ok() const { return code_ == 0; }
    int code() const { return code_; }

private:
    explicit Status(int code) : code_(code) {}
    int code_;
};

static Status open_table(const char *name, Buffer **out)
{
    if (name[0] == '\0')
        return Status::IOError();
    Buffer *t = new Buffer(name);
    *out = t;
    return Status::OK();
}

Status load(const char *name)
{
    Buffer *table;
    Status s = open_table(name, &table);
    if (!s.ok())
        return s;
    table->len = 0;
    return Status::OK();  // expect: resource-leak in load
}

int main()
{
    return load("/dev/null").code() + load("").code() > 5;
}
