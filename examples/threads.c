/*
 * threads: several threads in one process.
 *
 * pthread_create(3) asks the kernel for a task that shares the address space,
 * the open files and the signal handlers (clone with CLONE_VM | CLONE_FILES |
 * CLONE_SIGHAND | CLONE_THREAD ...), running on a stack glibc mapped for it,
 * with its own thread pointer (tp) for thread-local storage. Only what the
 * threads compute is printed, by the main thread after pthread_join(3), so
 * the output does not depend on how the threads were scheduled.
 *
 * Exit status: 0 when every fact holds, 1 otherwise.
 */
#define _GNU_SOURCE /* for gettid */
#include <pthread.h>
#include <stdio.h>
#include <unistd.h>

#define THREADS 4
#define INCREMENTS 20000
#define ITEMS 100

/* Shared by all threads, protected by `lock`. */
static long counter;
static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;

/* One copy per thread: each thread's tp register points to its own block. */
static __thread long tls_value = 1000;

/* Threads share the process id (getpid) but each has its own task id (gettid). */
static pid_t main_pid;
static int ids_as_expected[THREADS];

static void *count_up(void *arg)
{
	long id = (long)arg;
	ids_as_expected[id - 1] = getpid() == main_pid && gettid() != main_pid;
	for (int i = 0; i < INCREMENTS; i++) {
		pthread_mutex_lock(&lock);
		counter++;
		pthread_mutex_unlock(&lock);
	}
	tls_value += id; /* changes this thread's copy only */
	return (void *)tls_value;
}

/* A one-slot mailbox: the producer waits while it is full, the consumer
 * while it is empty. Condition variables sleep in the kernel (futex). */
static pthread_cond_t changed = PTHREAD_COND_INITIALIZER;
static int slot, slot_full;

static void *produce(void *arg)
{
	(void)arg;
	for (int item = 1; item <= ITEMS; item++) {
		pthread_mutex_lock(&lock);
		while (slot_full)
			pthread_cond_wait(&changed, &lock);
		slot = item;
		slot_full = 1;
		pthread_cond_signal(&changed);
		pthread_mutex_unlock(&lock);
	}
	return NULL;
}

int main(void)
{
	pthread_t thread[THREADS];
	long result[THREADS];
	int ok = 1;

	main_pid = getpid();
	for (long i = 0; i < THREADS; i++)
		pthread_create(&thread[i], NULL, count_up, (void *)(i + 1));
	for (int i = 0; i < THREADS; i++) {
		void *value;
		pthread_join(thread[i], &value);
		result[i] = (long)value;
	}
	printf("%d threads x %d locked increments: counter = %ld\n", THREADS, INCREMENTS, counter);
	ok &= counter == (long)THREADS * INCREMENTS;
	for (int i = 0; i < THREADS; i++)
		printf("thread %d saw its own tls_value: %ld\n", i + 1, result[i]);
	printf("main thread's tls_value is untouched: %ld\n", tls_value);
	ok &= tls_value == 1000 && result[THREADS - 1] == 1000 + THREADS;
	int ids_ok = 1;
	for (int i = 0; i < THREADS; i++)
		ids_ok &= ids_as_expected[i];
	printf("every thread has the process's pid and a tid of its own: %s\n", ids_ok ? "yes" : "no");
	ok &= ids_ok;

	/* Producer and consumer. */
	pthread_t producer;
	long sum = 0;
	pthread_create(&producer, NULL, produce, NULL);
	for (int received = 0; received < ITEMS; received++) {
		pthread_mutex_lock(&lock);
		while (!slot_full)
			pthread_cond_wait(&changed, &lock);
		sum += slot;
		slot_full = 0;
		pthread_cond_signal(&changed);
		pthread_mutex_unlock(&lock);
	}
	pthread_join(producer, NULL);
	printf("consumer received items 1..%d, sum = %ld\n", ITEMS, sum);
	ok &= sum == ITEMS * (ITEMS + 1) / 2;
	return ok ? 0 : 1;
}
