/* See sandbox.c: what a fuzz target may reach. */
#ifndef NN_FUZZ_SANDBOX_H
#define NN_FUZZ_SANDBOX_H

/* This run's private directory (created on first use, removed at exit):
   the only place ipc paths may live. No trailing slash. */
const char *fuzz_sandbox_dir(void);

/* The port of the latest successful IP bind that asked for a port (0 if
   none): IP binds always get a port from the OS, whatever the address
   said. */
unsigned fuzz_sandbox_port(void);

#endif
