#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fcntl.h>
#include <unistd.h>

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

static Status open_table(const char *name, int *out)
{
    if (name[0] == '\0')
        return Status::IOError();
    int t = open(name, O_RDONLY);
    if (t < 0)
        return Status::IOError();
    *out = t;
    return Status::OK();
}

Status load(const char *name)
{
    int table;
    Status s = open_table(name, &table);
    if (!s.ok())
        return s;
    (void)fcntl(table, F_GETFD);
    return Status::OK();  // expect: resource-leak in load
}

int main()
{
    return load("/dev/null").code() + load("").code() > 5;
}
