// A user process that runs until a signal ends it.
#include "st_user.h"

int main() {
    volatile unsigned long n = 0;
    for (;;) n = n + 1;
}
