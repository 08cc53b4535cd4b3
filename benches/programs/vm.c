/*
 * vm (control-heavy, unpredictable branches): a small stack-machine
 * interpreter with a switch dispatch loop, running a bytecode program that
 * sums the Collatz path lengths of 1..SIZE.  Checksum: that sum mixed with
 * the number of bytecode instructions executed.
 */
#include "bench.h"

#define DEFAULT_SIZE 2000
#define SMALL_SIZE 60
#define MAX_SIZE 100000 /* every Collatz path below it stays under 2^31 */

enum opcode { PUSH, LOAD, STORE, ADD, MUL, SHR1, AND1, EQ, LE, JUMP, JUMP_IF_ZERO, HALT };

/* Registers: 0 = size, 1 = i, 2 = x, 3 = total steps.  The numbers in the
 * comments are bytecode addresses, the jump targets. */
static const int32_t program[] = {
    /*  0 */ PUSH, 1, STORE, 1,             /* i = 1                     */
    /*  4 */ LOAD, 1, LOAD, 0, LE,          /* while i <= size           */
    /*  9 */ JUMP_IF_ZERO, 62,
    /* 11 */ LOAD, 1, STORE, 2,             /*   x = i                   */
    /* 15 */ LOAD, 2, PUSH, 1, EQ,          /*   while x != 1            */
    /* 20 */ JUMP_IF_ZERO, 24,
    /* 22 */ JUMP, 53,
    /* 24 */ LOAD, 2, AND1,                 /*     if x is odd           */
    /* 27 */ JUMP_IF_ZERO, 39,
    /* 29 */ LOAD, 2, PUSH, 3, MUL,         /*       x = 3 * x + 1       */
    /* 34 */ PUSH, 1, ADD, JUMP, 42,
    /* 39 */ LOAD, 2, SHR1,                 /*     else x = x / 2        */
    /* 42 */ STORE, 2,
    /* 44 */ LOAD, 3, PUSH, 1, ADD, STORE, 3, /*   total += 1            */
    /* 51 */ JUMP, 15,
    /* 53 */ LOAD, 1, PUSH, 1, ADD, STORE, 1, /* i += 1                  */
    /* 60 */ JUMP, 4,
    /* 62 */ HALT,
};

static uint32_t bench(int size) {
    uint32_t registers[4] = {(uint32_t)size, 0, 0, 0};
    uint32_t stack[16];
    int sp = 0;
    int pc = 0;
    uint32_t executed = 0;
    for (;;) {
        executed++;
        switch (program[pc]) {
        case PUSH: stack[sp++] = (uint32_t)program[pc + 1]; pc += 2; break;
        case LOAD: stack[sp++] = registers[program[pc + 1]]; pc += 2; break;
        case STORE: registers[program[pc + 1]] = stack[--sp]; pc += 2; break;
        case ADD: sp--; stack[sp - 1] += stack[sp]; pc++; break;
        case MUL: sp--; stack[sp - 1] *= stack[sp]; pc++; break;
        case SHR1: stack[sp - 1] >>= 1; pc++; break;
        case AND1: stack[sp - 1] &= 1; pc++; break;
        case EQ: sp--; stack[sp - 1] = stack[sp - 1] == stack[sp]; pc++; break;
        case LE: sp--; stack[sp - 1] = stack[sp - 1] <= stack[sp]; pc++; break;
        case JUMP: pc = program[pc + 1]; break;
        case JUMP_IF_ZERO: pc = stack[--sp] == 0 ? program[pc + 1] : pc + 2; break;
        case HALT: return registers[3] * 2654435761u ^ executed;
        default: return 0;
        }
    }
}

BENCH_PROGRAM("vm")
