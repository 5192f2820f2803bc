// A system process managed by RS (the default): its signal handler prints
// what SEF hands it.
#include "st_util.h"

namespace {
void on_signal(int sig) {
    umk::log_printf("SIGRS: signal %d delivered by SEF\n", sig);
}
}  // namespace

int main() {
    using namespace umk;
    sef_setcb_signal_handler(on_signal);
    sef_startup();
    log_printf("SIGRS: up\n");
    for (;;) {
        message m{};
        sef_receive(ANY, &m);
    }
}
