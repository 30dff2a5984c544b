/* The limits GNU's timeout tests read through coreutils' getlimits: one past the largest
   time_t and unsigned int, and the largest long double. Written for Corral's suite runner. */
#include <float.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>

int main(void) {
  printf("INT_MAX=%d\n", INT_MAX);
  printf("UINT_MAX=%u\n", UINT_MAX);
  printf("UINT_OFLOW=%llu\n", (unsigned long long) UINT_MAX + 1);
  /* time_t is 64-bit here: its maximum plus one needs unsigned arithmetic. */
  printf("TIME_T_MAX=%lld\n", (long long) INT64_MAX);
  printf("TIME_T_OFLOW=%llu\n", (unsigned long long) INT64_MAX + 1);
  printf("LDBL_MAX=%Le\n", LDBL_MAX);
  return 0;
}
