#include <cstdio>
#include <cstdlib>
#include <cstring>

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

static Status open_table(const char *name, char **out)
{
    if (name[0] == '\0')
        return Status::IOError();
    char *t = static_cast<char *>(malloc(strlen(name) + 1));
    if (t == nullptr)
        return Status::IOError();
    *out = t;
    return Status::OK();
}

Status load(const char *name)
{
    char *table;
    Status s = open_table(name, &table);
    if (!s.ok())
        return s;
    table[0] = '\0';
    return Status::OK();  // expect: resource-leak in load
}

int main()
{
    return load("/dev/null").code() + load("").code() > 5;
}
