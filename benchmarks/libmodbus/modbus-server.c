/*
 * A libmodbus TCP server for the comparison benchmarks (LibmodbusComparisonBenchmarks): 1000 holding registers
 * (register i holds i), any number of connections served from one thread with select(), as libmodbus's own
 * bandwidth-server-many-up example does. It listens on 127.0.0.1 and the port given (0: any free one), prints
 * "listening on PORT" once it accepts, and runs until it is killed or its standard input closes.
 *
 * Build: gcc -O2 -o modbus-server modbus-server.c $(pkg-config --cflags --libs libmodbus)
 */
#include <arpa/inet.h>
#include <errno.h>
#include <modbus.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/select.h>
#include <sys/socket.h>
#include <unistd.h>

int main(int argc, char **argv)
{
    int port = argc > 1 ? atoi(argv[1]) : 0;
    modbus_t *ctx = modbus_new_tcp("127.0.0.1", port);
    modbus_mapping_t *mapping = modbus_mapping_new(0, 0, 1000, 0);
    if (ctx == NULL || mapping == NULL) {
        fprintf(stderr, "libmodbus: %s\n", modbus_strerror(errno));
        return 1;
    }
    for (int i = 0; i < 1000; i++) {
        mapping->tab_registers[i] = (uint16_t)i;
    }

    int listener = modbus_tcp_listen(ctx, 64);
    if (listener < 0) {
        fprintf(stderr, "listen: %s\n", modbus_strerror(errno));
        return 1;
    }
    struct sockaddr_in bound;
    socklen_t length = sizeof bound;
    getsockname(listener, (struct sockaddr *)&bound, &length);
    printf("listening on %d\n", ntohs(bound.sin_port));
    fflush(stdout);

    fd_set all;
    FD_ZERO(&all);
    FD_SET(listener, &all);
    FD_SET(STDIN_FILENO, &all);
    int highest = listener;
    uint8_t query[MODBUS_TCP_MAX_ADU_LENGTH];
    for (;;) {
        fd_set ready = all;
        if (select(highest + 1, &ready, NULL, NULL, NULL) < 0) {
            if (errno == EINTR) {
                continue;
            }
            return 1;
        }
        for (int fd = 0; fd <= highest; fd++) {
            if (!FD_ISSET(fd, &ready)) {
                continue;
            }
            if (fd == STDIN_FILENO) {
                char ignored[64];
                if (read(STDIN_FILENO, ignored, sizeof ignored) <= 0) {
                    return 0; /* the benchmark went away */
                }
            } else if (fd == listener) {
                int client = accept(listener, NULL, NULL);
                if (client >= 0) {
                    int one = 1;
                    setsockopt(client, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
                    FD_SET(client, &all);
                    if (client > highest) {
                        highest = client;
                    }
                }
            } else {
                modbus_set_socket(ctx, fd);
                int received = modbus_receive(ctx, query);
                if (received > 0) {
                    modbus_reply(ctx, query, received, mapping);
                } else if (received < 0) {
                    close(fd);
                    FD_CLR(fd, &all);
                }
            }
        }
    }
}
