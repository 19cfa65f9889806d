/* sync_cli.h: the `ocop sync` command (sync_cli.c) and the demo shops
 * that `make run` points at the mock marketplaces (sync_demo.c). */
#ifndef OCOP_SYNC_CLI_H
#define OCOP_SYNC_CLI_H

#include "core/conf.h"
#include "db/db.h"
#include "sync/sync.h"

/* sync_cli: argv after "sync"; returns the exit code. */
int sync_cli(struct conf *conf, int argc, char **argv);

/* sync_opts_from_conf: the worker's options for this configuration. */
void sync_opts_from_conf(const struct conf *conf, struct sync_opts *o);

/* sync_demo_cli: once per database: a sample fair, and one demo shop per
 * marketplace on the mock at mock_url, selling from the fair's first
 * booth, with a few of that booth's products on each (weights and
 * photos made from the catalog's illustrations in photos_dir, marked as
 * sample data). Prints what it made. */
int sync_demo_cli(const struct conf *conf, struct db *db,
                  const char *mock_url, const char *photos_dir);

#endif
