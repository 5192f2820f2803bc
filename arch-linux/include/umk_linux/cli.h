// Subcommands of the `umk` executable. Each lives in its own file under
// arch-linux/cli/ (picked up by a glob) and registers itself:
//
//   static int run_ps(int argc, char** argv) { ... }
//   UMK_CLI_COMMAND(ps, "list the processes", "usage: umk ps [--sock PATH]\n...", run_ps);
//
// argv[0] is the subcommand's name. Return the exit status.
#pragma once

namespace umk::cli {

struct Command {
    const char* name;
    const char* summary;  // one line, for `umk --help`
    const char* usage;    // full text, for `umk help NAME` and `umk NAME --help`
    int (*run)(int argc, char** argv);
};

// A static object per command: it owns the entry the table points at.
class Register {
  public:
    explicit Register(const Command& c);

  private:
    Command command_;
};

const Command* find_command(const char* name);
// Every registered command, sorted by name; ends with nullptr.
const Command* const* commands();

}  // namespace umk::cli

#define UMK_CLI_COMMAND(name, summary, usage, fn) \
    static ::umk::cli::Register umk_cli_register_##name({#name, summary, usage, fn})
