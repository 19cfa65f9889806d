/* gtin.h: GS1 barcodes (EAN-8, UPC-A/GTIN-12, EAN-13, GTIN-14).
 * Owns: the GS1 mod-10 check digit (weights 3,1,3,1... from the right of
 *   the data digits) and validating a code. Vietnamese codes start 893.
 * Does not own: internal SKUs (many OCOP producers have no GTIN). */
#ifndef OCOP_GTIN_H
#define OCOP_GTIN_H

/* gtin_check_digit: the check digit for the data digits (a string of
 * 7, 11, 12 or 13 digits); -1 when s is not such a string. */
int gtin_check_digit(const char *data_digits);

/* gtin_valid: 1 when s is 8, 12, 13 or 14 digits with a right check
 * digit. */
int gtin_valid(const char *s);

#endif
