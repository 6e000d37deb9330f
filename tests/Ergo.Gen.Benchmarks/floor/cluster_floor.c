// The message pattern of a cluster suite round (build/bench.sh cluster: pg or global), played by plain C processes
// with blocking sockets and nothing else: one wake-up per message, no runtime, no scheduler of their own. Its times
// are the floor of the pattern on the machine that runs it (docs/benchmarks.md, "What the cluster rounds are
// bounded by"). build/cluster-floor.sh runs it on the same simulated hosts as the suite.
//
//   cluster_floor member PORT ORIGIN [PEER_HOST...]    ORIGIN 1: the member the driver calls (it dials the others)
//   cluster_floor driver pg|global ROUNDS PORT ORIGIN_INDEX MEMBER_HOST...
//
// pg: the driver's call reaches the origin, which sends a join to each other member and answers the driver; each
// member reports to the driver. global: the origin takes a lock on one member (the boss), then on the other six,
// then registers on all seven (a request and an answer each), answers the driver, and sends each member its lock
// release and the driver's "check" in one write; each member then reports to the driver. A round ends when the
// driver has all eight reports; a short pause between rounds lets every process fall asleep, as the suite's setup
// calls between rounds do.
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

enum { CALL = 100, JOIN = 91, REPORT = 56, ANSWER = 231, REQUEST = 100, REPLY = 60, RELEASE_AND_CHECK = 120 };

static double now_us(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec * 1e6 + t.tv_nsec / 1e3;
}

static void no_delay(int fd) {
    int one = 1;
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
}

static int dial(const char *host, int port) {
    struct addrinfo hints = {.ai_family = AF_INET, .ai_socktype = SOCK_STREAM}, *found;
    char service[16];
    snprintf(service, sizeof service, "%d", port);
    for (int attempt = 0; attempt < 200; attempt++) {
        if (getaddrinfo(host, service, &hints, &found) == 0) {
            int fd = socket(AF_INET, SOCK_STREAM, 0);
            int ok = connect(fd, found->ai_addr, found->ai_addrlen) == 0;
            freeaddrinfo(found);
            if (ok) {
                no_delay(fd);
                return fd;
            }
            close(fd);
        }
        usleep(50000);
    }
    fprintf(stderr, "cluster_floor: cannot reach %s:%d\n", host, port);
    exit(1);
}

// Reads exactly n bytes; the process ends when its peer goes away.
static void read_exactly(int fd, char *to, int n) {
    while (n > 0) {
        int got = recv(fd, to, n, 0);
        if (got <= 0)
            exit(0);
        to += got;
        n -= got;
    }
}

// Connects to each of hosts, says who it is (its first byte), and returns an epoll set of them all.
static int dial_all(int count, char **hosts, int port, const char *who, int *fds) {
    int epoll = epoll_create1(0);
    for (int i = 0; i < count; i++) {
        fds[i] = dial(hosts[i], port);
        send(fds[i], who, 1, 0);
        struct epoll_event e = {.events = EPOLLIN, .data.u32 = i};
        epoll_ctl(epoll, EPOLL_CTL_ADD, fds[i], &e);
    }
    return epoll;
}

// Reads until want[i] more bytes have come from each fds[i]; left of them want some.
static void await_all(int epoll, int *fds, int *want, int left, char *buf) {
    while (left > 0) {
        struct epoll_event events[16];
        int n = epoll_wait(epoll, events, 16, -1);
        for (int j = 0; j < n; j++) {
            int i = events[j].data.u32;
            int got = recv(fds[i], buf, want[i], 0);
            if (got > 0 && (want[i] -= got) == 0)
                left--;
        }
    }
}

// Sends each of peers[from..to) a request and waits for all their replies.
static void multi_call(int epoll, int *peers, int from, int to, char *buf) {
    int want[16] = {0};
    for (int i = from; i < to; i++) {
        buf[0] = 'R';
        send(peers[i], buf, REQUEST, 0);
        want[i] = REPLY;
    }
    await_all(epoll, peers, want, to - from, buf + 512);
}

static void origin(int driver, int peer_count, char **peer_hosts, int port, char *buf) {
    int peers[16], epoll = dial_all(peer_count, peer_hosts, port, "O", peers);
    char mode;
    read_exactly(driver, &mode, 1);
    for (;;) {
        read_exactly(driver, buf, CALL);
        if (mode == 'p') {
            for (int i = 0; i < peer_count; i++) {
                buf[0] = 'J';
                send(peers[i], buf, JOIN, 0);
            }
            send(driver, buf, ANSWER, 0);
        } else {
            multi_call(epoll, peers, 0, 1, buf);
            multi_call(epoll, peers, 1, peer_count, buf);
            multi_call(epoll, peers, 0, peer_count, buf);
            send(driver, buf, ANSWER, 0);
            for (int i = 0; i < peer_count; i++) {
                buf[0] = 'C';
                send(peers[i], buf, RELEASE_AND_CHECK, 0);
            }
        }
    }
}

static void member(int port, int is_origin, int peer_count, char **peer_hosts) {
    static char buf[4096];
    int listener = socket(AF_INET, SOCK_STREAM, 0), one = 1;
    setsockopt(listener, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    struct sockaddr_in address = {.sin_family = AF_INET, .sin_port = htons(port)};
    if (bind(listener, (struct sockaddr *)&address, sizeof address) != 0 || listen(listener, 16) != 0) {
        perror("cluster_floor: listen");
        exit(1);
    }
    // Who connected says so in its first byte: D the driver, O the origin.
    int driver = -1, from_origin = -1;
    for (int i = 0; i < (is_origin ? 1 : 2); i++) {
        int fd = accept(listener, 0, 0);
        char who;
        no_delay(fd);
        read_exactly(fd, &who, 1);
        if (who == 'D')
            driver = fd;
        else
            from_origin = fd;
    }
    if (is_origin) {
        origin(driver, peer_count, peer_hosts, port, buf);
        return;
    }
    for (;;) {
        read_exactly(from_origin, buf, 1);
        if (buf[0] == 'R') {
            read_exactly(from_origin, buf + 1, REQUEST - 1);
            send(from_origin, buf, REPLY, 0);
        } else {
            read_exactly(from_origin, buf + 1, (buf[0] == 'J' ? JOIN : RELEASE_AND_CHECK) - 1);
            send(driver, buf, REPORT, 0);
        }
    }
}

static int by_value(const void *a, const void *b) {
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

static void driver(char mode, int rounds, int port, int origin_index, int count, char **hosts) {
    static char buf[4096];
    int members[16], epoll = dial_all(count, hosts, port, "D", members);
    send(members[origin_index], &mode, 1, 0);
    usleep(300000);
    double *times = malloc(sizeof(double) * rounds);
    for (int r = 0; r < rounds; r++) {
        // The origin's own report travels with its answer.
        int want[16];
        for (int i = 0; i < count; i++)
            want[i] = i == origin_index ? ANSWER : REPORT;
        double start = now_us();
        send(members[origin_index], buf, CALL, 0);
        await_all(epoll, members, want, count, buf);
        times[r] = now_us() - start;
        usleep(700);
    }
    qsort(times, rounds, sizeof(double), by_value);
    printf("floor cluster.%s rounds %d lowest %.0f p2 %.0f p10 %.0f median %.0f p90 %.0f us\n", mode == 'p' ? "pg" : "global",
           rounds, times[0], times[rounds / 50], times[rounds / 10], times[rounds / 2], times[rounds * 9 / 10]);
}

int main(int argc, char **argv) {
    if (argc >= 4 && strcmp(argv[1], "member") == 0) {
        member(atoi(argv[2]), atoi(argv[3]), argc - 4, argv + 4);
        return 0;
    }
    if (argc >= 7 && strcmp(argv[1], "driver") == 0 && (strcmp(argv[2], "pg") == 0 || strcmp(argv[2], "global") == 0)) {
        driver(argv[2][0], atoi(argv[3]), atoi(argv[4]), atoi(argv[5]), argc - 6, argv + 6);
        return 0;
    }
    fprintf(stderr, "usage: cluster_floor member PORT ORIGIN [PEER_HOST...] | driver pg|global ROUNDS PORT ORIGIN_INDEX HOST...\n");
    return 2;
}
