/* postmart.h: the Postmart (VNPost) product sheet.
 * Owns: writing one producer's sellable catalog as an .xlsx sheet, one
 *   row per certified, visible variant, for the producer to hand to
 *   Postmart (which publishes no seller API: README.md beside this).
 * Does not own: the catalog tables (read only), photos' files (the
 *   sheet holds their public URLs), sending the file anywhere.
 * Columns, in order: Mã SKU, Tên sản phẩm, Mô tả, Giá (VND), Tồn kho
 *   (on hand at the producer's own warehouses), Khối lượng (g), Ảnh
 *   (public URLs joined by ", "), Danh mục, Số sao OCOP, Số giấy chứng
 *   nhận. The column set is ours: Postmart publishes no template.
 * Errors: ERR_NOTFOUND (no such producer), ERR_DB (statement), ERR_IO (the file could not be written),
 *   ERR_NOMEM; message in *ec. A producer with nothing to sell still
 *   gets a sheet with the header row. */
#ifndef OCOP_POSTMART_H
#define OCOP_POSTMART_H

#include "core/err.h"
#include "db/db.h"

#include <stdint.h>

/* postmart_export: the sheet of producer_id written to path (replaced
 * if it exists). base_url is this server's public address, no trailing
 * '/' ("https://ocop.example"), for the photo URLs. *rows (may be NULL)
 * gets the number of product rows written. */
enum err postmart_export(struct db *db, int64_t producer_id,
                         const char *base_url, const char *path, int *rows,
                         struct err_ctx *ec) MUST_CHECK;

#endif
