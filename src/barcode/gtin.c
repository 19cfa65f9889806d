/* gtin.c: GS1 check digits (see gtin.h). */
#include "barcode/gtin.h"

#include <string.h>

static int all_digits(const char *s, size_t n)
{
    size_t i;

    for (i = 0; i < n; i++)
        if (s[i] < '0' || s[i] > '9')
            return 0;
    return 1;
}

static int check_of(const char *s, size_t n)
{
    int sum = 0, weight = 3;
    size_t i;

    for (i = n; i > 0; i--) {
        sum += (s[i - 1] - '0') * weight;
        weight = weight == 3 ? 1 : 3;
    }
    return (10 - sum % 10) % 10;
}

int gtin_check_digit(const char *data_digits)
{
    size_t n = strlen(data_digits);

    if ((n != 7 && n != 11 && n != 12 && n != 13) ||
        !all_digits(data_digits, n))
        return -1;
    return check_of(data_digits, n);
}

int gtin_valid(const char *s)
{
    size_t n = s ? strlen(s) : 0;

    if ((n != 8 && n != 12 && n != 13 && n != 14) || !all_digits(s, n))
        return 0;
    return check_of(s, n - 1) == s[n - 1] - '0';
}
