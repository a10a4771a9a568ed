/* loom-sweep-private.h
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * What the files of LoomSweep share: the sweep's instance struct, its
 * parameters and their kinds, the hash its random values and its shuffle
 * are made of, and the functions each part offers the others: values
 * (loom-sweep-values.c), kinds (loom-sweep-params.c) and their text specs
 * (loom-sweep-text.c), the sweep itself (loom-sweep.c), CSV
 * (loom-sweep-csv.c) and the JSON form (loom-sweep-json.c).  Expanding a
 * sweep into tasks (loom-sweep-expand.c) only reads it.
 */

#pragma once

#include "loom-sweep.h"

G_BEGIN_DECLS

#define MAX_TASKS   (G_GUINT64_CONSTANT (1) << 48)
#define GOLDEN      G_GUINT64_CONSTANT (0x9e3779b97f4a7c15)
#define N_ROUNDS    4

/* A random parameter's distribution.  The nicks are its names in the
 * sweep's text (random:loguniform:…) and JSON ("distribution"); the type
 * is registered by gnome.mkenums (loom-private-enums.h), never installed. */
typedef enum
{
  LOOM_SWEEP_UNIFORM,     /*< nick=uniform >*/
  LOOM_SWEEP_LOGUNIFORM,  /*< nick=loguniform >*/
  LOOM_SWEEP_INT,         /*< nick=int >*/
} LoomSweepDistribution;

typedef enum /*< skip >*/
{
  PARAM_LIST,
  PARAM_CSV,
  PARAM_RANGE_INT,
  PARAM_RANGE_FLOAT,
  PARAM_LIN,
  PARAM_LOG,
  /* One per LoomSweepDistribution, in its order. */
  PARAM_RANDOM_UNIFORM,
  PARAM_RANDOM_LOGUNIFORM,
  PARAM_RANDOM_INT,
} ParamKind;

#define PARAM_RANDOM(distribution) ((ParamKind) (PARAM_RANDOM_UNIFORM + (distribution)))
#define PARAM_DISTRIBUTION(kind)   ((LoomSweepDistribution) ((kind) - PARAM_RANDOM_UNIFORM))
G_STATIC_ASSERT (PARAM_RANDOM (LOOM_SWEEP_LOGUNIFORM) == PARAM_RANDOM_LOGUNIFORM);
G_STATIC_ASSERT (PARAM_RANDOM (LOOM_SWEEP_INT) == PARAM_RANDOM_INT);

typedef struct
{
  char      *name;
  ParamKind  kind;
  guint64    count;
  GPtrArray *values;     /* JsonNode: LIST, CSV */
  guint      csv_group;  /* CSV: which file, from 1 */
  gboolean   zipped;
  guint      axis;       /* position in the product */

  /* Ranges, lin and log: start, stop, step.  Random: low and high. */
  double     start;
  double     stop;
  double     step;
  /* Integer ranges and random:int; float ranges with decimal ends, scaled
   * by @scale so that values come out as the nearest double to a decimal. */
  gint64     istart;
  gint64     istop;
  gint64     istep;
  double     scale;
  guint64    seed;       /* random */
} Param;

struct _LoomSweep
{
  GObject     parent_instance;

  GPtrArray  *params;     /* Param */
  JsonObject *constants;
  guint       n_csv;

  GArray     *axes;       /* guint64: the length of each factor */
  guint64     count;      /* saturates above MAX_TASKS */

  gboolean    shuffle;
  guint64     shuffle_seed;
  guint       half_bits;
  guint64     keys[N_ROUNDS];
};

/* A number as given, with its integer value when it is one. */
typedef struct
{
  double   d;
  gint64   i;
  gboolean is_int;
} Num;

static inline Num
sweep_num_from_double (double value)
{
  Num num = { value, 0, FALSE };
  return num;
}

static inline Num
sweep_num_from_int (gint64 value)
{
  Num num = { (double) value, value, TRUE };
  return num;
}

/* The finaliser of splitmix64: a bijective mix of 64 bits. */
static inline guint64
mix64 (guint64 z)
{
  z = (z ^ (z >> 30)) * G_GUINT64_CONSTANT (0xbf58476d1ce4e5b9);
  z = (z ^ (z >> 27)) * G_GUINT64_CONSTANT (0x94d049bb133111eb);
  return z ^ (z >> 31);
}

/* Random bits for value @index of a stream: needs no earlier value. */
static inline guint64
random_bits (guint64 seed,
             guint64 index)
{
  return mix64 (mix64 (seed ^ G_GUINT64_CONSTANT (0x6a09e667f3bcc909)) + (index + 1) * GOLDEN);
}

/* --- values (loom-sweep-values.c) ----------------------------------------- */

gboolean    sweep_error                  (GError     **error,
                                          const char  *name,
                                          const char  *format,
                                          ...) G_GNUC_PRINTF (3, 4);
gboolean    sweep_non_finite_error       (GError     **error,
                                          const char  *name,
                                          const char  *prefix,
                                          const char  *text);
gboolean    sweep_too_many_error         (GError     **error,
                                          const char  *name);
const char *sweep_format_double          (char        *buf,
                                          gsize        size,
                                          double       value);
const char *sweep_format_num             (char        *buf,
                                          gsize        size,
                                          Num          num);
JsonNode   *sweep_object_node_take       (JsonObject  *obj);
gboolean    sweep_node_is_finite         (JsonNode    *node);
JsonNode   *sweep_value_from_text_finite (const char  *text);
char       *sweep_strip_dup              (const char  *text);

/* --- kinds (loom-sweep-params.c, loom-sweep-text.c) ----------------------- */

Param    *sweep_param_new   (ParamKind     kind,
                             guint64       count);
void      sweep_param_free  (Param        *param);
Param    *sweep_make_list   (const char   *name,
                             GPtrArray    *values,
                             GError      **error);
Param    *sweep_make_range  (const char   *name,
                             const char   *shown,
                             Num           start,
                             Num           stop,
                             Num           step,
                             GError      **error);
Param    *sweep_make_space  (const char   *name,
                             ParamKind     kind,
                             Num           start,
                             Num           stop,
                             gint64        n,
                             GError      **error);
gboolean  sweep_distribution_parse (const char             *name,
                                    const char             *text,
                                    LoomSweepDistribution  *distribution,
                                    GError                **error);
Param    *sweep_make_random        (const char             *name,
                                    LoomSweepDistribution   distribution,
                                    Num                     low,
                                    Num                     high,
                                    gint64                  n,
                                    gboolean                seeded,
                                    guint64                 seed,
                                    GError                **error);
Param    *sweep_parse_body  (const char   *name,
                             const char   *body,
                             GError      **error);
JsonNode *sweep_param_value (Param        *param,
                             guint64       i);

/* --- the sweep (loom-sweep.c) --------------------------------------------- */

void     sweep_update            (LoomSweep           *self);
gboolean sweep_check_total       (LoomSweep           *self,
                                  GError             **error);
gboolean sweep_name_taken        (LoomSweep           *self,
                                  const char          *name);
gboolean sweep_add_params        (LoomSweep           *self,
                                  Param              **params,
                                  guint                n_params,
                                  gboolean             limit,
                                  GError             **error);
gboolean sweep_add_param         (LoomSweep           *self,
                                  const char          *name,
                                  Param               *param,
                                  gboolean             limit,
                                  GError             **error);
gboolean sweep_add_constant_node (LoomSweep           *self,
                                  const char          *name,
                                  JsonNode            *value,
                                  GError             **error);
gboolean sweep_set_zip_names     (LoomSweep           *self,
                                  const char * const  *names,
                                  guint                n_names,
                                  GError             **error);

/* --- CSV (loom-sweep-csv.c) ----------------------------------------------- */

gboolean sweep_add_csv_json (LoomSweep  *self,
                             JsonNode   *node,
                             GError    **error);

G_END_DECLS
