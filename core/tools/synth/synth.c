/* synth.c: see synth.h. */
#include "synth.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "output.h"
#include "util.h"

#define NELEM(a) (sizeof(a) / sizeof((a)[0]))

/* ---- the generator: xoshiro256** seeded by splitmix64, integers only ---- */

typedef struct rng {
    uint64_t s[4];
} rng;

static uint64_t splitmix64(uint64_t *x)
{
    uint64_t z = (*x += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
}

/* Stream `stream` of `seed`: 0 for the set (ids, names), i + 1 for county i, i + 1 + 2^40 for
 * county i's variety (vary_money). */
static void rng_seed(rng *r, uint64_t seed, uint64_t stream)
{
    uint64_t x = seed;
    uint64_t mix = splitmix64(&x) ^ (stream * 0xD1B54A32D192ED03ull);
    for (int i = 0; i < 4; i++) r->s[i] = splitmix64(&mix);
}

static uint64_t rotl(uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }

static uint64_t rng_next(rng *r)
{
    uint64_t *s = r->s;
    uint64_t result = rotl(s[1] * 5, 7) * 9;
    uint64_t t = s[1] << 17;
    s[2] ^= s[0];
    s[3] ^= s[1];
    s[1] ^= s[2];
    s[0] ^= s[3];
    s[2] ^= t;
    s[3] = rotl(s[3], 45);
    return result;
}

/* Rule for every caller: at most one draw per full expression, unless sequenced (by ?:,
 * && or ||, or separate declarators): C leaves the order of a call's arguments (and of
 * the operands of + or <) unspecified, and gcc and clang do pick different orders.
 *
 * 0..n-1 (n > 0); the modulo bias of a 64-bit draw is far below anything visible. */
static uint64_t below(rng *r, uint64_t n) { return rng_next(r) % n; }
/* lo..hi inclusive */
static long long ri(rng *r, long long lo, long long hi)
{
    return hi <= lo ? lo : lo + (long long)below(r, (uint64_t)(hi - lo) + 1);
}
static int chance(rng *r, int pct) { return (int)below(r, 100) < pct; }
#define PICK(r, a) ((a)[below((r), NELEM(a))])

/* Rounding of whole numbers (values are positive). */
static long long round_down(long long v, long long to) { return v / to * to; }
static long long round_near(long long v, long long to) { return (v + to / 2) / to * to; }
static long long round_up(long long v, long long to) { return (v + to - 1) / to * to; }

/* ---- word lists ---- */

/* Syllables as one string of 3-byte UTF-8 characters (all in U+4E00..U+9FFF). */
static const char S1[] = "安宝北博昌长崇大丹德定东峨凤福阜富甘高古广贵海汉和鹤红洪华怀会济嘉建剑江金晋靖"
                         "九开康乐黎利临灵隆龙罗茂梅蒙米绵宁平屏普祁青清庆仁荣瑞三沙山上石寿双顺思松太"
                         "泰通桐万旺威文武西喜仙祥新兴秀宣盐阳仪宜永玉元云镇正忠资紫遵岳汶彭";
static const char S2[] = "安坝白宝城川春道德定东都峰丰福谷关海和河湖华化江节井靖康口乐陵流隆龙宁平坪浦山"
                         "善水顺台潭亭通溪仙乡阳义源远原云泽州中昌兴西南林沙石门梁屏武盛宾岭渡津";
/* Inner Mongolian banners (旗): transliterated syllables, and the 左/右/前/后/中 that real
 * banner names use to tell neighbours apart. */
static const char M1[] = "阿巴达鄂杭科喀奈乌扎苏准敖额翁克察商多托";
static const char M2[] = "鲁林拉尔锦审特曼格汉尼牛什泰穆兰";
static const char BANNER_SIDE[] = "左右前后中";
/* disambiguating first character for a county whose two-syllable name is taken */
static const char SIDE[] = "东西南北新上下中";
/* villages: two syllables, or a surname + 家 */
static const char V1[] = "咸金银柳桃杏枫竹松梅兰茶桑麻新双团和永太长青红白石岩龙凤鹿马牛羊鹤花";
static const char V2[] = "隆坪湾沟坝岭口岩桥塘坡溪冲垭寨田山湖林园";
static const char SURNAME[] = "黄王李张刘陈杨赵周吴徐孙马朱胡郭何高罗郑梁谢宋唐许韩冯邓曹彭曾肖田董潘"
                              "袁蔡蒋余杜叶程魏苏吕丁任沈姚卢姜崔钟谭陆汪范廖贾夏韦方白邹孟熊秦";

#define NSYL(s) ((sizeof(s) - 1) / 3)

/* appends syllable k of table s (3 bytes) to buf */
static void add_syl(char *buf, const char *s, size_t k)
{
    size_t len = strlen(buf);
    memcpy(buf + len, s + 3 * k, 3);
    buf[len + 3] = '\0';
}
#define ADD_SYL(r, buf, s) add_syl((buf), (s), below((r), NSYL(s)))

typedef struct province {
    const char *name, *abbr;
    int reservoir; /* Three Gorges area: migrants, 库区 programmes */
} province;

static const province PROVINCES[] = {
    {"重庆市", "渝", 1},         {"四川省", "川", 0},         {"贵州省", "黔", 0},
    {"云南省", "滇", 0},         {"西藏自治区", "藏", 0},     {"甘肃省", "甘", 0},
    {"青海省", "青", 0},         {"宁夏回族自治区", "宁", 0}, {"新疆维吾尔自治区", "新", 0},
    {"内蒙古自治区", "蒙", 0},   {"广西壮族自治区", "桂", 0}, {"湖北省", "鄂", 1},
    {"湖南省", "湘", 0},         {"陕西省", "陕", 0},         {"江西省", "赣", 0},
    {"河南省", "豫", 0},         {"山西省", "晋", 0},         {"吉林省", "吉", 0},
    {"黑龙江省", "黑", 0},
};
#define INNER_MONGOLIA 9

typedef struct partner_def {
    const char *name, *short_name; /* 山东省, 山东 */
    int province;                  /* index of the province (a province: itself) */
} partner_def;

/* provinces first (level 省), then their cities (level 市) */
#define NPROV_PARTNERS 6
static const partner_def PARTNERS[] = {
    {"辽宁省", "辽宁", 0}, {"山东省", "山东", 1}, {"江苏省", "江苏", 2}, {"浙江省", "浙江", 3},
    {"福建省", "福建", 4}, {"广东省", "广东", 5},
    {"大连市", "大连", 0}, {"沈阳市", "沈阳", 0}, {"鞍山市", "鞍山", 0},
    {"青岛市", "青岛", 1}, {"济南市", "济南", 1}, {"烟台市", "烟台", 1}, {"潍坊市", "潍坊", 1},
    {"威海市", "威海", 1}, {"南京市", "南京", 2}, {"苏州市", "苏州", 2}, {"无锡市", "无锡", 2},
    {"常州市", "常州", 2}, {"杭州市", "杭州", 3}, {"宁波市", "宁波", 3}, {"温州市", "温州", 3},
    {"嘉兴市", "嘉兴", 3}, {"绍兴市", "绍兴", 3}, {"福州市", "福州", 4}, {"厦门市", "厦门", 4},
    {"泉州市", "泉州", 4}, {"广州市", "广州", 5}, {"深圳市", "深圳", 5}, {"佛山市", "佛山", 5},
    {"东莞市", "东莞", 5}, {"珠海市", "珠海", 5}, {"中山市", "中山", 5},
};

static const char *const INDUSTRIES[] = {
    "花椒", "柑橘", "茶叶", "中药材", "蔬菜", "脐橙", "核桃", "猕猴桃", "食用菌", "蚕桑",
    "李子", "油茶", "魔芋", "辣椒", "葡萄", "苹果", "鲜花", "肉牛", "生猪", "蜂蜜",
};

enum {
    A_INFRA, A_TRAFFIC, A_WATER, A_LIVING, A_EDU, A_HEALTH, A_CULTURE, A_ECO, A_TOUR,
    A_WELFARE, A_MIGRANT, A_INDUSTRY, A_INVEST, NAREAS
};
static const char *const AREA[NAREAS] = {
    "基础设施", "交通", "饮水", "民生", "教育", "医疗卫生", "文化", "生态", "旅游",
    "社会福利", "移民安置", "产业", "招商引资",
};
static const int AREA_WEIGHT[NAREAS] = {12, 10, 9, 12, 12, 10, 5, 6, 6, 4, 3, 14, 3};

static const char *const PURPOSE_PARTS[] = {
    "卫生", "产业", "饮水", "教育", "交通", "民生", "人才培训", "移民小区", "扶贫基建",
    "乡村振兴", "文旅", "生态", "基础设施",
};
static const char *const PURPOSE_SUB[] = {
    "其中：民生项目", "其中：产业项目", "其中：教育医疗", "其中：乡村振兴示范村", "其中：人才培训",
};

/* ---- the files ---- */

enum {
    F_SCHEMA, F_COUNTIES, F_PARTNERS, F_INDICATORS, F_TRAINING, F_PROJECTS, F_ALLOCATIONS,
    F_TOWNS, F_WORKS, F_TARGETS, NFILES
};
static const char *const FILE_NAME[NFILES] = {
    "schema.csv", "counties.csv", "partners.csv", "indicators.csv", "training.csv",
    "projects.csv", "allocations.csv", "towns.csv", "works.csv", "targets.csv",
};
/* the header rows of examples/data */
static const char *const FILE_HEADER[NFILES] = {
    "table,column,type,unit,description",
    "county_id,name,province,pair_since,years_paired,source",
    "county_id,partner,level,since,source",
    "county_id,indicator,label,value,unit,qualifier,period,source",
    "county_id,period,program,kind,people,sessions,hours,qualifier,id,part_of,source",
    "county_id,project,partner,area,amount,year,outcome,id,part_of,source",
    "county_id,period,amount,purpose,projects,qualifier,projects_qualifier,id,part_of,source",
    "county_id,town,township,industry,villages,area_mu,annual_output,visitors,income_per_capita,note,source",
    "county_id,period,item,quantity,unit,source",
    "county_id,plan,target,indicator,target_value,unit,comparison,progress_value,progress_period,source",
};

/* The rows of examples/data/schema.csv, except that the county_id description says the
 * codes are synthetic instead of naming the example's two counties. */
#define ID_DESC "\"Administrative code of the county; synthetic data (合成数据): the 9xxxxx codes are made up.\""
#define SRC_DESC "Which part of the source article the row comes from."
static const char *const SCHEMA_ROWS[] = {
    "counties,county_id,text,," ID_DESC,
    "counties,name,text,,Chinese name of the county.",
    "counties,province,text,,Province-level unit the county belongs to.",
    "counties,pair_since,number,年,Year the counterpart support began; empty when the article does not say.",
    "counties,years_paired,number,年,Years of counterpart support as stated in the article.",
    "counties,source,text,," SRC_DESC,
    "partners,county_id,text,," ID_DESC,
    "partners,partner,text,,Supporting province or city.",
    "partners,level,text,,Administrative level of the partner: 省 (province) or 市 (city).",
    "partners,since,number,年,Year the partner began supporting the county; empty when not stated.",
    "partners,source,text,," SRC_DESC,
    "indicators,county_id,text,," ID_DESC,
    "indicators,indicator,text,,Stable English key of the figure (see docs/data.md).",
    "indicators,label,text,,Short Chinese label for display.",
    "indicators,value,number,,\"The figure, in the unit given by the unit column.\"",
    "indicators,unit,text,,\"Unit of value: 元 for money, otherwise a measure word such as 个, 人, 人次, 吨, 家 or 亩.\"",
    "indicators,qualifier,text,,\"Approximation the article puts on the figure: 余, 多, 近 or 约; empty when exact.\"",
    "indicators,period,text,,Year or range the figure covers; empty for a cumulative figure.",
    "indicators,source,text,," SRC_DESC,
    "training,county_id,text,," ID_DESC,
    "training,period,text,,\"Year the training took place, or 累计 (cumulative) or 近年 (recent years).\"",
    "training,program,text,,Training programme or trainee group; a 其中 prefix marks a part (part_of says of which row).",
    "training,kind,text,,Short category of training.",
    "training,people,number,人次,\"Trainees or audience, in person-times.\"",
    "training,sessions,number,,\"Number of classes, sessions or course topics, where given.\"",
    "training,hours,number,学时,\"Class hours, where given.\"",
    "training,qualifier,text,,\"Approximation the article puts on people: 余, 多, 近 or 约; empty when exact.\"",
"training,id,text,,\"Name of this row that another row's part_of can give (unique within the county across allocations, projects and training); empty when no row names it.\"",
    "training,part_of,text,,\"id of the training row this group is part of, where the article says so (its people are inside that row's); empty when none.\"",
    "training,source,text,," SRC_DESC,
    "projects,county_id,text,," ID_DESC,
    "projects,project,text,,\"Name of the supported project, facility or initiative.\"",
    "projects,partner,text,,Province or city that supported it; empty when the article does not say.",
    "projects,area,text,,Short sector category of the project.",
    "projects,amount,number,元,Support funds for this project; empty when not given.",
    "projects,year,number,年,\"Year the article ties to the project (funded, opened or started); empty when not given.\"",
    "projects,outcome,text,,Short summary of what the project delivered.",
"projects,id,text,,\"Name of this row that another row's part_of can give (unique within the county across allocations, projects and training); empty when no row names it.\"",
    "projects,part_of,text,,\"id of the allocation or project whose funds include this project's, where the article says so; empty when the article ties it to none.\"",
    "projects,source,text,," SRC_DESC,
    "allocations,county_id,text,," ID_DESC,
    "allocations,period,text,,\"Year or range of the allocation, or 近年 (recent years).\"",
    "allocations,amount,number,元,Funds allocated in the period.",
    "allocations,purpose,text,,Short Chinese label of what the funds went to; a 其中 prefix marks a part (part_of says of which row).",
    "allocations,projects,number,个,\"Number of projects funded, where given.\"",
    "allocations,qualifier,text,,\"Approximation the article puts on amount: 余, 多, 近 or 约; empty when exact.\"",
    "allocations,projects_qualifier,text,,\"Approximation the article puts on projects: 余, 多, 近 or 约; empty when exact.\"",
"allocations,id,text,,\"Name of this row that another row's part_of can give (unique within the county across allocations, projects and training); empty when no row names it.\"",
    "allocations,part_of,text,,\"id of the allocation or project this amount is part of, where the article says so (the amount is inside that one, not added to it); empty when the article ties it to none.\"",
    "allocations,source,text,," SRC_DESC,
    "towns,county_id,text,," ID_DESC,
    "towns,town,text,,Name of the characteristic-industry town project.",
    "towns,township,text,,Township or town where it is located.",
    "towns,industry,text,,Main industry of the town project.",
    "towns,villages,number,个,\"Villages covered, where given.\"",
    "towns,area_mu,number,亩,\"Planted or demonstration area, where given (see note).\"",
    "towns,annual_output,number,元,\"Annual output value already reached, where given.\"",
    "towns,visitors,number,人,\"Visitors received so far, where given.\"",
    "towns,income_per_capita,number,元,\"Income increase per farming household member, where given.\"",
    "towns,note,text,,\"Other facts, and the approximation of the figures in the row.\"",
    "towns,source,text,," SRC_DESC,
    "works,county_id,text,," ID_DESC,
    "works,period,text,,\"Year of the work, 近年 (recent years), or empty when undated.\"",
    "works,item,text,,\"What was built, bought or improved.\"",
    "works,quantity,number,,\"Amount of the item, in the unit given by the unit column.\"",
    "works,unit,text,,\"Unit of quantity, e.g. 千米, 公里, 平方米, 座, 台.\"",
    "works,source,text,," SRC_DESC,
    "targets,county_id,text,," ID_DESC,
    "targets,plan,text,,\"Plan period the target belongs to, e.g. 十四五.\"",
    "targets,target,text,,Short Chinese label of the target.",
    "targets,indicator,text,,Indicator key the target refers to (as in indicators.csv).",
    "targets,target_value,number,,\"Target figure, in the unit given by the unit column.\"",
    "targets,unit,text,,Unit of target_value and progress_value.",
    "targets,comparison,text,,\"How the result is compared with the target: >=, >, <=, < or =.\"",
    "targets,progress_value,number,,\"Progress reached so far, in the same unit; empty when not reported.\"",
    "targets,progress_period,text,,Period progress_value refers to; empty when not reported.",
    "targets,source,text,," SRC_DESC,
};

/* ---- per-county records (one county at a time is held) ---- */

#define STEM_CAP 16    /* up to 4 syllables + NUL */
#define MAX_TOWNSHIPS 10
#define MAX_ALLOCS 20
#define MAX_PROJECTS 200
#define PROJECT_SLOTS 512 /* power of two > 2 * MAX_PROJECTS */
#define MAX_TRAINING 40
#define FIRST_YEAR 2016
#define LAST_YEAR 2023 /* the year the imaginary article is written */

typedef struct county {
    unsigned id;
    char id_s[8];
    char name[STEM_CAP + 4];
    const province *prov;
    int npart, part[3], since[3]; /* since 0: not stated */
    int pair_since, years_paired; /* 0: empty */
    int ntownships;
    char township[MAX_TOWNSHIPS][STEM_CAP + 4];
    int nind;
    const char *industry[4];
    int ntowns;
} county;

typedef struct alloc {
    int y0, y1;            /* a year (y0 == y1), a range, or RECENT (近年) */
    long long wan;         /* amount in 万元 */
    char purpose[96];
    int projects;          /* 0: not given */
    const char *q, *pq;    /* qualifiers or NULL */
    int sub;               /* a 其中 row */
    long long left;        /* 万元 still free for single projects */
} alloc;

typedef struct project {
    char name[160];
    char partner[64];
    int area;
    long long wan; /* 0: no amount */
    int alloc;     /* the allocation it was paid from (part_of), -1: none */
    int year;      /* 0: not given */
    char outcome[256];
} project;

typedef struct training_row {
    int year; /* 0 累计, 1..: a year, 9999 近年 */
    char program[96];
    const char *kind;
    long long people;
    int sessions, hours; /* 0: not given */
    const char *q;
    int sub;
    int order; /* ties in sorting: qsort is not stable */
} training_row;

/* ---- the writer ---- */

typedef struct nameset {
    char (*key)[STEM_CAP];
    size_t cap;
} nameset;

typedef struct synth {
    const char *dir;
    uint64_t seed;
    cb_error *err;
    int rc;                      /* first error */
    FILE *fp[NFILES];
    char *path[NFILES], *tmp[NFILES];
    char src[64];                /* every data row's source cell */
    char src_csv[80];            /* the same as a CSV field, quoted */
    cb_buf row;
    int nfield;
    rng set_rng;                 /* ids and names, in county order */
    nameset names;
    size_t fallback;             /* cursor of the exhaustive name search */
    project *proj;               /* MAX_PROJECTS */
    int proj_slot[PROJECT_SLOTS];
    alloc alloc[MAX_ALLOCS];
    int nalloc;
    training_row tr[MAX_TRAINING];
    int ntr;
} synth;

/* Fields of the current row. A field with a comma, a double quote or a line break is
 * quoted, with quotes doubled (RFC 4180). NULL or "" is an empty cell. */
static void f_str(synth *s, const char *v)
{
    if (s->nfield++) cb_buf_add(&s->row, ",", 1);
    if (!v || !*v) return;
    if (!strpbrk(v, ",\"\r\n")) {
        cb_buf_adds(&s->row, v);
        return;
    }
    cb_buf_add(&s->row, "\"", 1);
    for (const char *p = v;;) {
        const char *q = strchr(p, '"');
        if (!q) {
            cb_buf_adds(&s->row, p);
            break;
        }
        cb_buf_add(&s->row, p, (size_t)(q - p + 1)); /* through the quote, then once more */
        cb_buf_add(&s->row, "\"", 1);
        p = q + 1;
    }
    cb_buf_add(&s->row, "\"", 1);
}

static void f_fmt(synth *s, const char *fmt, ...) CB_PRINTF(2, 3);
static void f_fmt(synth *s, const char *fmt, ...)
{
    char buf[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(buf, sizeof buf, fmt, ap);
    va_end(ap);
    f_str(s, buf);
}

static void f_num(synth *s, long long v)
{
    char buf[24], *p = buf + sizeof buf;
    unsigned long long u = v < 0 ? 0ull - (unsigned long long)v : (unsigned long long)v;
    do *--p = (char)('0' + u % 10);
    while (u /= 10);
    if (v < 0) *--p = '-';
    if (s->nfield++) cb_buf_add(&s->row, ",", 1);
    cb_buf_add(&s->row, p, (size_t)(buf + sizeof buf - p));
}
/* v when has, else an empty cell */
static void f_opt(synth *s, int has, long long v)
{
    if (has) f_num(s, v);
    else f_str(s, NULL);
}
/* hundredths as a plain decimal: 1647 -> "16.47", 920 -> "9.2", 400 -> "4" */
static void f_dec2(synth *s, long long h)
{
    if (h % 100 == 0) f_fmt(s, "%lld", h / 100);
    else if (h % 10 == 0) f_fmt(s, "%lld.%lld", h / 100, h / 10 % 10);
    else f_fmt(s, "%lld.%02lld", h / 100, h % 100);
}
#define RECENT 9999 /* a period of 近年 (recent years) */
static void f_period(synth *s, int y0, int y1)
{
    if (y0 == RECENT) f_str(s, "近年");
    else if (y0 == y1) f_num(s, y0);
    else f_fmt(s, "%d-%d", y0, y1);
}

/* Starts a data row of county c (its county_id is the first field). */
static void row_begin(synth *s, const county *c)
{
    s->row.len = 0;
    s->nfield = 0;
    if (c) f_str(s, c->id_s);
}

/* Ends the row, with the source cell for a data table, and writes it to file f. */
static void row_end(synth *s, int f, int with_source)
{
    if (with_source) {
        cb_buf_add(&s->row, ",", 1);
        cb_buf_adds(&s->row, s->src_csv);
    }
    cb_buf_add(&s->row, "\n", 1);
    if (s->rc) return;
    if (fwrite(s->row.s, 1, s->row.len, s->fp[f]) != s->row.len) {
        int e = errno;
        s->rc = cb_fail(s->err, CB_EIO, "%s: cannot write: %s", s->path[f],
                        strerror(e ? e : EIO));
    }
}

static void sfmt(char *buf, size_t n, const char *fmt, ...) CB_PRINTF(3, 4);
static void sfmt(char *buf, size_t n, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(buf, n, fmt, ap);
    va_end(ap);
}

/* ---- names ---- */

static uint64_t fnv1a(const char *s)
{
    uint64_t h = 0xcbf29ce484222325ull;
    for (; *s; s++) h = (h ^ (unsigned char)*s) * 0x100000001b3ull;
    return h;
}

/* Adds key; returns 1 if it was new, 0 if the set holds it already. */
static int nameset_add(nameset *ns, const char *key)
{
    size_t mask = ns->cap - 1;
    for (size_t i = (size_t)fnv1a(key) & mask;; i = (i + 1) & mask) {
        if (!ns->key[i][0]) {
            snprintf(ns->key[i], STEM_CAP, "%s", key);
            return 1;
        }
        if (!strcmp(ns->key[i], key)) return 0;
    }
}

/* A county name unique in the set: two syllables and 县 (sometimes 区; 旗 in Inner
 * Mongolia); when that is taken, a third character tells it apart (东/西/…, or
 * 左/右/… for a banner), as real names do. Uniqueness is on the name without its
 * suffix, so 安宁县 and 安宁区 are never both in one set. */
static void county_name(synth *s, county *c)
{
    rng *r = &s->set_rng;
    int banner = c->prov == &PROVINCES[INNER_MONGOLIA] && chance(r, 60);
    const char *suffix = banner ? "旗" : chance(r, 12) ? "区" : "县";
    char stem[STEM_CAP];
    for (int t = 0; t < 48; t++) {
        stem[0] = '\0';
        if (banner) {
            ADD_SYL(r, stem, M1);
            ADD_SYL(r, stem, M2);
            if (t >= 4) ADD_SYL(r, stem, BANNER_SIDE);
        } else {
            if (t >= 4) ADD_SYL(r, stem, SIDE);
            ADD_SYL(r, stem, S1);
            if (t > 0 || !chance(r, 4)) ADD_SYL(r, stem, S2); /* a few one-syllable names: 忠县 */
        }
        if (nameset_add(&s->names, stem)) goto done;
    }
    /* practically never reached: the first free three-syllable name, in a fixed order
     * (S1 x S2 x S2 holds far more names than the set can have) */
    for (;; s->fallback++) {
        size_t k = s->fallback, a = NSYL(S2);
        stem[0] = '\0';
        add_syl(stem, S1, k / (a * a) % NSYL(S1));
        add_syl(stem, S2, k / a % a);
        add_syl(stem, S2, k % a);
        if (nameset_add(&s->names, stem)) break;
    }
done:
    snprintf(c->name, sizeof c->name, "%s%s", stem, suffix);
}

static void village(rng *r, char *buf, size_t n)
{
    char v[STEM_CAP] = "";
    if (chance(r, 30)) {
        ADD_SYL(r, v, SURNAME);
        strcat(v, "家");
    } else {
        ADD_SYL(r, v, V1);
        ADD_SYL(r, v, V2);
    }
    snprintf(buf, n, "%s村", v);
}

/* ---- one county ---- */

static const char *township(rng *r, const county *c) { return c->township[below(r, (uint64_t)c->ntownships)]; }

static void county_basics(rng *r, county *c)
{
    /* partners: a province and some of its cities, or cities only */
    int np = chance(r, 50) ? 1 : chance(r, 70) ? 2 : 3;
    c->npart = 0;
    if (chance(r, 80)) {
        int p = (int)below(r, NPROV_PARTNERS);
        c->part[c->npart++] = p;
        for (int tries = 0; c->npart < np && tries < 20; tries++) {
            int k = (int)ri(r, NPROV_PARTNERS, NELEM(PARTNERS) - 1), dup = 0;
            if (PARTNERS[k].province != p) continue;
            for (int i = 0; i < c->npart; i++) dup |= c->part[i] == k;
            if (!dup) c->part[c->npart++] = k;
        }
    } else {
        while (c->npart < np) {
            int k = (int)ri(r, NPROV_PARTNERS, NELEM(PARTNERS) - 1), dup = 0;
            for (int i = 0; i < c->npart; i++) dup |= PARTNERS[c->part[i]].province == PARTNERS[k].province;
            if (!dup) c->part[c->npart++] = k;
        }
    }
    int first = (int)ri(r, 1992, 2010);
    for (int i = 0; i < c->npart; i++) {
        int y = i == 0 ? first : (int)ri(r, first, 2010);
        c->since[i] = chance(r, 15) ? 0 : y;
    }
    c->pair_since = chance(r, 80) ? first : 0;
    c->years_paired = c->pair_since ? (chance(r, 85) ? LAST_YEAR - c->pair_since : 0)
                                    : (chance(r, 50) ? LAST_YEAR - first : 0);

    /* townships (镇/乡), distinct */
    int nt = (int)ri(r, 6, MAX_TOWNSHIPS);
    c->ntownships = 0;
    for (int tries = 0; c->ntownships < nt && tries < 100; tries++) {
        char stem[STEM_CAP] = "";
        ADD_SYL(r, stem, S1);
        ADD_SYL(r, stem, S2);
        int dup = 0;
        for (int i = 0; i < c->ntownships; i++) dup |= !strncmp(c->township[i], stem, strlen(stem));
        if (dup) continue;
        snprintf(c->township[c->ntownships++], sizeof c->township[0], "%s%s", stem, chance(r, 70) ? "镇" : "乡");
    }

    /* main industries, distinct */
    c->nind = (int)ri(r, 2, 4);
    for (int i = 0; i < c->nind; i++) {
        const char *ind;
        int dup;
        do {
            ind = PICK(r, INDUSTRIES);
            dup = 0;
            for (int j = 0; j < i; j++) dup |= c->industry[j] == ind;
        } while (dup);
        c->industry[i] = ind;
    }
    c->ntowns = chance(r, 50) ? 0 : (int)ri(r, 1, c->nind);
    if (c->ntowns > c->ntownships) c->ntowns = c->ntownships;
}

static void write_county_rows(synth *s, const county *c)
{
    row_begin(s, c);
    f_str(s, c->name);
    f_str(s, c->prov->name);
    f_opt(s, c->pair_since, c->pair_since);
    f_opt(s, c->years_paired, c->years_paired);
    row_end(s, F_COUNTIES, 1);
    for (int i = 0; i < c->npart; i++) {
        row_begin(s, c);
        f_str(s, PARTNERS[c->part[i]].name);
        f_str(s, c->part[i] < NPROV_PARTNERS ? "省" : "市");
        f_opt(s, c->since[i], c->since[i]);
        row_end(s, F_PARTNERS, 1);
    }
}

/* Allocations: an optional 2011-2015 total, then most years to 2023, a few 其中 rows. */
static void make_allocations(synth *s, rng *r, const county *c)
{
    s->nalloc = 0;
    if (chance(r, 5)) return; /* a county without allocation figures */
    long long scale = ri(r, 600, 4000); /* 万元 a year */
    if (chance(r, 45)) {
        alloc *a = &s->alloc[s->nalloc++];
        memset(a, 0, sizeof *a);
        a->y0 = chance(r, 60) ? 2011 : 2013;
        a->y1 = 2015;
        a->wan = round_down(scale * (a->y1 - a->y0 + 1) * ri(r, 50, 80) / 100, 100);
        if (a->wan < 100) a->wan = 100;
        snprintf(a->purpose, sizeof a->purpose, "%s", chance(r, 50) ? "移民小区、扶贫基建、人才培训" : "基础设施、民生、产业");
        if (chance(r, 50)) a->projects = (int)ri(r, 10, 60);
        a->left = a->wan * 6 / 10;
    }
    int start = (int)ri(r, FIRST_YEAR, 2018), towns_label = c->ntowns > 0 && chance(r, 60);
    int town_year = (int)ri(r, 2020, LAST_YEAR);
    for (int y = start; y <= LAST_YEAR; y++) {
        if (y != LAST_YEAR && chance(r, 10)) continue;
        alloc *a = &s->alloc[s->nalloc++];
        memset(a, 0, sizeof *a);
        a->y0 = a->y1 = y;
        a->wan = round_near(scale * ri(r, 80, 130) / 100 * (100 + (y - FIRST_YEAR) * 4) / 100, 10);
        if (a->wan < 50) a->wan = 50;
        if (chance(r, 10)) {
            a->q = "余";
            if (a->wan >= 200) a->wan = round_down(a->wan, 100);
        }
        if (towns_label && y == town_year) {
            snprintf(a->purpose, sizeof a->purpose, "%d个特色产业小镇", c->ntowns);
            a->projects = c->ntowns;
        } else {
            /* two to four distinct parts: 卫生、产业、饮水 */
            int idx[NELEM(PURPOSE_PARTS)], k = (int)ri(r, 2, 4);
            for (size_t i = 0; i < NELEM(PURPOSE_PARTS); i++) idx[i] = (int)i;
            a->purpose[0] = '\0';
            for (int i = 0; i < k; i++) {
                int j = i + (int)below(r, NELEM(PURPOSE_PARTS) - (size_t)i), t = idx[i];
                idx[i] = idx[j];
                idx[j] = t;
                if (i) strcat(a->purpose, "、");
                strcat(a->purpose, PURPOSE_PARTS[idx[i]]);
            }
            if (chance(r, 60)) a->projects = (int)ri(r, 3, 25);
            if (a->projects && chance(r, 10)) a->pq = "余";
        }
        a->left = a->wan * 7 / 10;
        /* of which: a part of this year's funds */
        if (s->nalloc < MAX_ALLOCS - 1 && a->wan >= 200 && chance(r, 15)) {
            alloc *b = &s->alloc[s->nalloc++];
            memset(b, 0, sizeof *b);
            b->y0 = b->y1 = y;
            b->sub = 1;
            b->wan = round_near(a->wan * ri(r, 20, 60) / 100, 10);
            snprintf(b->purpose, sizeof b->purpose, "%s", PICK(r, PURPOSE_SUB));
            if (a->projects > 2 && chance(r, 70)) b->projects = (int)ri(r, 1, a->projects - 1);
            if (chance(r, 20)) b->q = "多";
        }
    }
}

/* the allocation a 其中 row i is part of: the nearest one above it that is not a 其中 row */
static int alloc_whole(const synth *s, int i)
{
    while (i > 0 && s->alloc[i].sub) i--;
    return i;
}

/* Variety in the periods and parts of the money, for the briefing's sentences and totals
 * to read right over (drawn from a stream of its own: the rows drawn after it stay as
 * they were): one allocation only; three years as one range (2018-2020); a 近年 sum with
 * projects paid from it; a project paid from a 其中 row (parts inside parts); a project
 * whose amount is in no allocation. Projects keep their part_of (p->alloc) in step, and
 * no allocation holds parts that add up to more than itself. */
static void drop_alloc(synth *s, int np, int i, int n) /* rows i..i+n-1 go; their projects keep amounts */
{
    for (int k = 0; k < np; k++) {
        project *p = &s->proj[k];
        if (p->alloc >= i + n) p->alloc -= n;
        else if (p->alloc >= i) p->alloc = -1;
    }
    memmove(s->alloc + i, s->alloc + i + n, (size_t)(s->nalloc - i - n) * sizeof s->alloc[0]);
    s->nalloc -= n;
}

static int free_project(rng *r, synth *s, int np) /* a project without an amount, or -1 */
{
    for (int tries = 0; tries < 8; tries++) {
        int k = (int)below(r, (uint64_t)np);
        if (!s->proj[k].wan && s->proj[k].area != A_INVEST) return k;
    }
    return -1;
}

static void vary_money(synth *s, rng *r, int np)
{
    if (s->nalloc > 1 && chance(r, 12)) { /* one allocation: the largest, with its 其中 rows */
        int best = 0;
        for (int i = 1; i < s->nalloc; i++)
            if (!s->alloc[i].sub && s->alloc[i].wan > s->alloc[best].wan) best = i;
        int end = best + 1;
        while (end < s->nalloc && s->alloc[end].sub) end++;
        drop_alloc(s, np, end, s->nalloc - end);
        drop_alloc(s, np, 0, best);
    } else if (chance(r, 30)) { /* three single years in a row as one range */
        for (int i = 0; i + 2 < s->nalloc; i++) {
            alloc *a = &s->alloc[i];
            int ok = 1;
            for (int k = 0; k < 3 && ok; k++)
                ok = !s->alloc[i + k].sub && s->alloc[i + k].y0 == s->alloc[i + k].y1 &&
                     s->alloc[i + k].y0 == a->y0 + k && s->alloc[i + k].y0 != RECENT;
            if (!ok || (i + 3 < s->nalloc && s->alloc[i + 3].sub)) continue;
            a->y1 = a->y0 + 2;
            for (int k = 1; k < 3; k++) {
                a->wan += s->alloc[i + k].wan;
                a->left += s->alloc[i + k].left;
                a->projects = a->projects && s->alloc[i + k].projects ? a->projects + s->alloc[i + k].projects : 0;
            }
            a->q = a->pq = NULL;
            for (int k = 0; k < np; k++) /* projects of the two merged years: of the range */
                if (s->proj[k].alloc == i + 1 || s->proj[k].alloc == i + 2) s->proj[k].alloc = i;
            drop_alloc(s, np, i + 1, 2);
            break;
        }
    }
    if (s->nalloc < MAX_ALLOCS && chance(r, 20)) { /* 近年 funds and the projects they paid */
        alloc *a = &s->alloc[s->nalloc++];
        memset(a, 0, sizeof *a);
        a->y0 = a->y1 = RECENT;
        a->wan = ri(r, 20, 90) * 10;
        size_t p1 = below(r, NELEM(PURPOSE_PARTS)), p2 = (p1 + 1 + below(r, NELEM(PURPOSE_PARTS) - 1)) % NELEM(PURPOSE_PARTS);
        snprintf(a->purpose, sizeof a->purpose, "%s、%s", PURPOSE_PARTS[p1], PURPOSE_PARTS[p2]);
        a->projects = (int)ri(r, 2, 4);
        for (int n = (int)ri(r, 1, 2), k; n > 0 && (k = free_project(r, s, np)) >= 0; n--) {
            s->proj[k].wan = round_near(a->wan * ri(r, 20, 40) / 100, 10);
            s->proj[k].alloc = s->nalloc - 1;
            s->proj[k].year = 0;
        }
    }
    for (int i = 0, k; i < s->nalloc; i++) /* a project inside a 其中 row */
        if (s->alloc[i].sub && chance(r, 40) && (k = free_project(r, s, np)) >= 0) {
            s->proj[k].wan = round_near(s->alloc[i].wan * ri(r, 20, 45) / 100, 10);
            s->proj[k].alloc = i;
            s->proj[k].year = s->alloc[i].y1;
        }
    int k;
    if (chance(r, 20) && (k = free_project(r, s, np)) >= 0) s->proj[k].wan = ri(r, 10, 80) * 10; /* in none */
    for (int i = 0; i < s->nalloc; i++) { /* parts within their whole: else a project is in none */
        long long sum = 0;
        for (int j = i + 1; j < s->nalloc && s->alloc[j].sub && !s->alloc[i].sub; j++) sum += s->alloc[j].wan;
        for (int j = 0; j < np; j++)
            if (s->proj[j].alloc == i) {
                if (sum + s->proj[j].wan > s->alloc[i].wan) s->proj[j].alloc = -1;
                else sum += s->proj[j].wan;
            }
    }
}

static void write_allocations(synth *s, const county *c)
{
    for (int i = 0; i < s->nalloc; i++) {
        const alloc *a = &s->alloc[i];
        row_begin(s, c);
        f_period(s, a->y0, a->y1);
        f_num(s, a->wan * 10000);
        f_str(s, a->purpose);
        f_opt(s, a->projects, a->projects);
        f_str(s, a->q);
        f_str(s, a->pq);
        f_fmt(s, "资金%d", i + 1); /* every allocation has an id: projects name it */
        if (a->sub) f_fmt(s, "资金%d", alloc_whole(s, i) + 1);
        else f_str(s, NULL);
        row_end(s, F_ALLOCATIONS, 1);
    }
}

static int pick_area(rng *r, const county *c)
{
    int total = 0, w[NAREAS];
    for (int i = 0; i < NAREAS; i++) {
        w[i] = AREA_WEIGHT[i];
        if (i == A_MIGRANT && c->prov->reservoir) w[i] *= 3;
        total += w[i];
    }
    int x = (int)below(r, (uint64_t)total);
    for (int i = 0; i < NAREAS; i++) {
        if (x < w[i]) return i;
        x -= w[i];
    }
    return A_INFRA;
}

static void project_name(rng *r, const county *c, int area, char *out, size_t n)
{
    const char *t = township(r, c), *ind = c->industry[below(r, (uint64_t)c->nind)];
    char v[32];
    village(r, v, sizeof v);
    int k = (int)below(r, 5);
    switch (area) {
    case A_INFRA:
        if (k == 0) sfmt(out, n, "%s%s基础设施完善", t, v);
        else if (k == 1) sfmt(out, n, "%s集镇污水处理站", t);
        else if (k == 2) sfmt(out, n, "%s农贸市场", t);
        else if (k == 3) sfmt(out, n, "%s%s人居环境整治", t, v);
        else sfmt(out, n, "%s便民桥", t);
        break;
    case A_TRAFFIC: {
        const char *t2 = township(r, c);
        if (k == 0 && strcmp(t, t2)) sfmt(out, n, "%s至%s公路改造", t, t2);
        else if (k <= 1) sfmt(out, n, "%s%s通村公路硬化", t, v);
        else if (k == 2) sfmt(out, n, "%s%s产业路", t, ind);
        else if (k == 3) sfmt(out, n, "%s便民码头", t);
        else sfmt(out, n, "%s大桥", t);
        break;
    }
    case A_WATER:
        if (k <= 1) sfmt(out, n, "%s%s人畜饮水工程", t, v);
        else if (k == 2) sfmt(out, n, "%s集中供水站", t);
        else if (k == 3) sfmt(out, n, "%s饮水安全提升工程", t);
        else sfmt(out, n, "%s%s供水管网改造", t, v);
        break;
    case A_LIVING:
        if (k <= 1) sfmt(out, n, "%s%s便民服务中心", t, v);
        else if (k == 2) sfmt(out, n, "%s%s村级活动室", t, v);
        else if (k == 3) sfmt(out, n, "%s社区综合服务站", t);
        else sfmt(out, n, "%s%s安置点配套设施", t, v);
        break;
    case A_EDU:
        if (k == 0) sfmt(out, n, "%s中心小学", t);
        else if (k == 1) sfmt(out, n, "%s中心幼儿园", t);
        else if (k == 2) sfmt(out, n, "%s实验小学教学楼", c->name);
        else if (k == 3) sfmt(out, n, "%s第%s中学学生宿舍", c->name, chance(r, 50) ? "一" : "二");
        else sfmt(out, n, "%s%s希望小学", t, v);
        break;
    case A_HEALTH:
        if (k == 0) sfmt(out, n, "%s中心卫生院", t);
        else if (k == 1) sfmt(out, n, "%s%s卫生室", t, v);
        else if (k == 2) sfmt(out, n, "%s人民医院医技大楼", c->name);
        else if (k == 3) sfmt(out, n, "%s中医院远程医疗中心", c->name);
        else sfmt(out, n, "%s卫生院医疗服务水平提升", t);
        break;
    case A_CULTURE:
        if (k <= 1) sfmt(out, n, "%s文化广场", t);
        else if (k == 2) sfmt(out, n, "%s综合文化站", t);
        else if (k == 3) sfmt(out, n, "%s%s农家书屋", t, v);
        else sfmt(out, n, "%s文化展览馆", c->name);
        break;
    case A_ECO:
        if (k <= 1) sfmt(out, n, "%s水源地保护", t);
        else if (k == 2) sfmt(out, n, "%s河道综合整治", t);
        else if (k == 3) sfmt(out, n, "%s水土保持治理", t);
        else sfmt(out, n, "%s湿地公园", c->name);
        break;
    case A_TOUR:
        if (k <= 1) sfmt(out, n, "%s%s乡村旅游示范点", t, v);
        else if (k == 2) sfmt(out, n, "%s游客服务中心", t);
        else if (k == 3) sfmt(out, n, "%s%s民宿示范项目", t, v);
        else sfmt(out, n, "%s%s观光园", t, ind);
        break;
    case A_WELFARE:
        if (k <= 1) sfmt(out, n, "%s敬老院", t);
        else if (k == 2) sfmt(out, n, "%s社会福利院", t);
        else if (k == 3) sfmt(out, n, "%s失能人员供养中心", c->name);
        else sfmt(out, n, "%s儿童福利院", c->name);
        break;
    case A_MIGRANT:
        if (k <= 1) sfmt(out, n, "%s移民小区改造", t);
        else if (k <= 3) sfmt(out, n, "%s%s移民安置点", t, v);
        else sfmt(out, n, "%s移民后扶产业园", t);
        break;
    case A_INDUSTRY:
        if (k <= 1) sfmt(out, n, "%s%s种植基地", t, ind);
        else if (k == 2) sfmt(out, n, "%s%s加工厂", t, ind);
        else if (k == 3) sfmt(out, n, "%s冷链仓储中心", t);
        else sfmt(out, n, "%s%s扶贫车间", t, v);
        break;
    default: { /* A_INVEST: a company that moved in */
        static const char *const kind[] = {"食品", "制药", "服饰", "电子", "眼镜", "农业科技", "新材料", "包装"};
        char brand[STEM_CAP] = "";
        ADD_SYL(r, brand, S1);
        ADD_SYL(r, brand, S2);
        if (k <= 2) sfmt(out, n, "%s%s有限公司落户", brand, PICK(r, kind));
        else sfmt(out, n, "%s%s", brand, PICK(r, kind));
        break;
    }
    }
}

static void project_outcome(rng *r, const county *c, const project *p, char *out, size_t n)
{
    out[0] = '\0';
    if (chance(r, 20)) return; /* not stated */
    char a[128] = "", b[128] = "";
    long long x = ri(r, 2, 9), y = ri(r, 100, 900);
    switch (p->area) {
    case A_WATER:
        if (chance(r, 50)) sfmt(a, sizeof a, "日供水%lld吨，惠及%lld余名群众", y, round_near(y * ri(r, 2, 6), 10));
        else sfmt(a, sizeof a, "解决%lld户%lld人安全饮水问题", y / 3, y);
        break;
    case A_TRAFFIC:
        if (chance(r, 50)) sfmt(a, sizeof a, "改造道路%lld.%lld公里", ri(r, 2, 25), x);
        else sfmt(a, sizeof a, "硬化道路%lld公里，惠及%lld个村", ri(r, 3, 30), x);
        break;
    case A_EDU:
        if (chance(r, 50)) sfmt(a, sizeof a, "新增学位%lld个", round_near(y, 10));
        else sfmt(a, sizeof a, "建成教学楼%lld平方米，可容纳学生%lld名", round_near(y * 5, 10), round_near(y, 10));
        break;
    case A_HEALTH:
        if (chance(r, 40)) sfmt(a, sizeof a, "新增床位%lld张", ri(r, 10, 120));
        else if (chance(r, 50)) sfmt(a, sizeof a, "添置医疗设备%lld台", ri(r, 3, 20));
        else sfmt(a, sizeof a, "年服务群众%lld万人次", x);
        break;
    case A_LIVING:
        if (chance(r, 50)) sfmt(a, sizeof a, "便民服务中心1座，建筑面积%lld平方米", y / 2 + 100);
        else sfmt(a, sizeof a, "服务周边%lld个村", x);
        break;
    case A_INFRA:
        if (chance(r, 50)) sfmt(a, sizeof a, "惠及%lld余名群众", round_near(y * x, 100));
        else sfmt(a, sizeof a, "完成管网改造%lld公里", ri(r, 2, 18));
        break;
    case A_CULTURE:
        if (chance(r, 50)) sfmt(a, sizeof a, "年接待群众%lld万人次", x);
        else sfmt(a, sizeof a, "藏书%lld册", round_near(y * 20, 100));
        break;
    case A_ECO:
        if (chance(r, 40)) sfmt(a, sizeof a, "治理河道%lld公里", ri(r, 2, 20));
        else if (chance(r, 50)) sfmt(a, sizeof a, "治理水土流失面积%lld平方公里", ri(r, 3, 40));
        else sfmt(a, sizeof a, "完成造林%lld亩", round_near(y * 10, 100));
        break;
    case A_TOUR:
        if (chance(r, 50)) sfmt(a, sizeof a, "年接待游客%lld万人次", x);
        else sfmt(a, sizeof a, "带动%lld户农户增收", y / 4);
        break;
    case A_WELFARE:
        if (chance(r, 50)) sfmt(a, sizeof a, "集中供养特困人员%lld名", y / 2);
        else sfmt(a, sizeof a, "床位%lld张", y / 5);
        break;
    case A_MIGRANT:
        if (chance(r, 50)) sfmt(a, sizeof a, "安置移民%lld户", y / 2);
        else sfmt(a, sizeof a, "改造住房%lld套", y / 3);
        break;
    case A_INDUSTRY:
        if (chance(r, 35)) sfmt(a, sizeof a, "带动%lld户脱贫户增收", y / 2);
        else if (chance(r, 50)) sfmt(a, sizeof a, "种植面积%lld亩", round_near(y * x, 100));
        else sfmt(a, sizeof a, "带动就业%lld人", y / 4);
        break;
    default:
        if (chance(r, 50) && c->npart) sfmt(a, sizeof a, "%s引导引进的社会投资项目之一", PARTNERS[c->part[0]].short_name);
        else sfmt(a, sizeof a, "协议投资%lld亿元，带动就业%lld人", x, y / 2);
        break;
    }
    if (p->wan && chance(r, 40))
        sfmt(b, sizeof b, "；%d年援助资金重点支持项目", p->year);
    snprintf(out, n, "%s%s", a, b);
}

/* Project names in use in this county: an open-addressing table of indices into s->proj
 * (+1; 0 is free), cleared per county. Returns 1 and records i if name is new. */
static int name_slot(synth *s, const char *name, int i)
{
    for (size_t k = (size_t)fnv1a(name) & (PROJECT_SLOTS - 1);; k = (k + 1) & (PROJECT_SLOTS - 1)) {
        int j = s->proj_slot[k];
        if (!j) {
            s->proj_slot[k] = i + 1;
            return 1;
        }
        if (!strcmp(s->proj[j - 1].name, name)) return 0;
    }
}

/* Projects: 20..200 named ones, a few with an amount taken from an allocation's funds.
 * Returns the number of rows. */
static int make_projects(synth *s, rng *r, const county *c)
{
    /* 20..200, most counties well below 100: the smaller of two draws */
    long long d1 = ri(r, 0, MAX_PROJECTS - 20), d2 = ri(r, 0, MAX_PROJECTS - 20);
    int np = 20 + (int)(d1 < d2 ? d1 : d2);
    memset(s->proj_slot, 0, sizeof s->proj_slot);
    for (int i = 0; i < np; i++) {
        project *p = &s->proj[i];
        p->area = pick_area(r, c);
        for (int tries = 0;; tries++) {
            project_name(r, c, p->area, p->name, sizeof p->name);
            if (tries == 5) { /* the same works again: number it */
                size_t len = strlen(p->name);
                snprintf(p->name + len, sizeof p->name - len, "（%d）", i + 1);
            }
            if (name_slot(s, p->name, i) || tries == 5) break;
        }
        /* partner: one, all, or not stated */
        p->partner[0] = '\0';
        if (chance(r, 95)) {
            if (c->npart > 1 && chance(r, 50)) {
                for (int k = 0; k < c->npart; k++) {
                    if (k) strcat(p->partner, "、");
                    strcat(p->partner, PARTNERS[c->part[k]].name);
                }
            } else {
                strcat(p->partner, PARTNERS[c->part[below(r, (uint64_t)c->npart)]].name);
            }
        }
        p->year = chance(r, 85) ? (int)ri(r, 2015, LAST_YEAR) : 0;
        p->wan = 0;
        p->alloc = -1;
    }
    /* amounts: a few projects, each within what its allocation has left */
    int top = 0;
    for (int i = 0; i < s->nalloc; i++) top += !s->alloc[i].sub;
    int k = top ? (int)ri(r, 1, 6) : 0;
    for (int tries = 3 * k; k > 0 && tries > 0; tries--) {
        alloc *a = &s->alloc[below(r, (uint64_t)s->nalloc)];
        project *p = &s->proj[below(r, (uint64_t)np)];
        if (a->sub || p->wan || p->area == A_INVEST) continue;
        long long w = a->wan * ri(r, 5, 35) / 100;
        w = w >= 100 ? round_down(w, 10) : w;
        if (w > a->left) w = round_down(a->left, 10);
        if (w < 20) continue;
        a->left -= w;
        p->wan = w;
        p->alloc = (int)(a - s->alloc);
        p->year = a->y1;
        if (--k == 0) break;
    }
    for (int i = 0; i < np; i++) project_outcome(r, c, &s->proj[i], s->proj[i].outcome, sizeof s->proj[i].outcome);
    return np;
}

static void write_projects(synth *s, const county *c, int np)
{
    /* by year (2015..2023, then undated), in order of making within a year */
    for (int y = 2015; y <= LAST_YEAR + 1; y++)
        for (int i = 0; i < np; i++) {
            const project *p = &s->proj[i];
            if (p->year != (y > LAST_YEAR ? 0 : y)) continue;
            row_begin(s, c);
            f_str(s, p->name);
            f_str(s, p->partner);
            f_str(s, AREA[p->area]);
            f_opt(s, p->wan > 0, p->wan * 10000);
            f_opt(s, p->year, p->year);
            f_str(s, p->outcome);
            f_str(s, NULL);
            if (p->alloc >= 0) f_fmt(s, "资金%d", p->alloc + 1);
            else f_str(s, NULL);
            row_end(s, F_PROJECTS, 1);
        }
}

typedef struct program_def {
    const char *program, *kind; /* program NULL: 干部人才赴<partner>培训 */
    int lo, hi, sess_lo, sess_hi, online;
} program_def;

static const program_def PROGRAMS[] = {
    {NULL, "赴外培训", 40, 400, 2, 12, 0},
    {"人才培训班", "人才培训", 150, 900, 2, 8, 0},
    {"医疗卫生人才培训", "专业技术培训", 30, 300, 1, 6, 0},
    {"中小学教师跟岗研修", "教师培训", 20, 200, 1, 5, 0},
    {"乡村振兴带头人培训", "致富带头人培训", 30, 300, 1, 6, 0},
    {"网络直播公益课程", "线上课程", 1000, 12000, 10, 40, 1},
    {"基层党政干部培训", "干部培训", 50, 400, 1, 8, 0},
    {"农村实用技术培训", "技能培训", 100, 1500, 2, 20, 0},
    {"电商创业培训", "创业技能培训", 30, 200, 1, 4, 0},
    {"干部人才业务培训", "业务培训", 100, 800, 0, 0, 0},
};
static const struct { const char *program, *kind; } TRAINING_SUB[] = {
    {"其中：致富带头人", "创业技能培训"}, {"其中：电商实战专业人才", "创业技能培训"},
    {"其中：新型职业农民", "技能培训"},   {"其中：乡村医生", "专业技术培训"},
    {"其中：中小学骨干教师", "教师培训"},
};

static int training_cmp(const void *pa, const void *pb)
{
    const training_row *a = pa, *b = pb;
    if (a->year != b->year) return a->year < b->year ? -1 : 1;
    return (a->order > b->order) - (a->order < b->order);
}

/* Training rows: a few programmes over the years, some with 其中 groups (id, part_of),
 * maybe a 累计 total first; now and then (from `vary`) one programme only. Sets
 * *people_total (every programme but the online audience) and *recent (the same from
 * 2021 on), as drawn before that. */
static void make_training(synth *s, rng *r, rng *vary, const county *c, long long *people_total,
                          long long *recent, char *recent_period, size_t rp_size)
{
    int rfirst = 0, rlast = 0;
    training_row main[12];
    int nmain = chance(r, 8) ? 0 : (int)ri(r, 2, 8);
    *people_total = *recent = 0;
    for (int i = 0; i < nmain; i++) {
        training_row *t = &main[i];
        memset(t, 0, sizeof *t);
        t->order = i;
        const program_def *d = &PROGRAMS[below(r, NELEM(PROGRAMS))];
        t->year = (int)ri(r, FIRST_YEAR, LAST_YEAR);
        if (!d->program)
            sfmt(t->program, sizeof t->program, "干部人才赴%s培训",
                 PARTNERS[c->part[below(r, (uint64_t)c->npart)]].short_name);
        else
            snprintf(t->program, sizeof t->program, "%s", d->program);
        t->kind = d->kind;
        t->people = ri(r, d->lo, d->hi);
        if (d->online) {
            t->people = round_near(t->people, 100);
            if (chance(r, 40)) t->q = "近";
            if (chance(r, 50)) t->hours = (int)ri(r, 60, 240);
        } else {
            if (chance(r, 10)) t->q = "余";
            *people_total += t->people;
        }
        if (d->sess_hi && chance(r, 60)) t->sessions = (int)ri(r, d->sess_lo, d->sess_hi);
        if (!d->online && chance(r, 8)) t->year = 9999; /* 近年 */
        if (!d->online && t->year >= 2021 && t->year <= LAST_YEAR) {
            *recent += t->people;
            if (!rfirst || t->year < rfirst) rfirst = t->year;
            if (t->year > rlast) rlast = t->year;
        }
    }
    if (rfirst == rlast) snprintf(recent_period, rp_size, "%d", rfirst);
    else snprintf(recent_period, rp_size, "%d-%d", rfirst, rlast);
    qsort(main, (size_t)nmain, sizeof main[0], training_cmp);
    s->ntr = 0;
    if (nmain && *people_total >= 100 && chance(r, 30)) {
        training_row *t = &s->tr[s->ntr++];
        memset(t, 0, sizeof *t);
        t->year = 0;
        snprintf(t->program, sizeof t->program, "%s", "各类人才培训（含基层党政干部）");
        t->kind = "人才培训";
        t->people = round_down(*people_total, 100);
        t->q = t->people < *people_total ? "余" : NULL;
    }
    for (int i = 0; i < nmain; i++) {
        s->tr[s->ntr++] = main[i];
        if (strcmp(main[i].program, "人才培训班") || chance(r, 40)) continue;
        int nsub = (int)ri(r, 1, 3);
        for (int k = 0; k < nsub; k++) {
            training_row *t = &s->tr[s->ntr++];
            memset(t, 0, sizeof *t);
            t->year = main[i].year;
            t->sub = 1;
            if (c->prov->reservoir && k == 0) {
                snprintf(t->program, sizeof t->program, "%s", "其中：库区农村致富带头人");
                t->kind = "创业技能培训";
            } else {
                int g = (int)below(r, NELEM(TRAINING_SUB));
                snprintf(t->program, sizeof t->program, "%s", TRAINING_SUB[g].program);
                t->kind = TRAINING_SUB[g].kind;
            }
            t->people = round_near(main[i].people * ri(r, 5, 25) / 100, 5);
            if (t->people < 5) t->people = 5;
        }
    }
    /* variety (its own stream): one programme only, with its groups */
    if (s->ntr > 1 && chance(vary, 10)) {
        int first = s->tr[0].year == 0 && s->ntr > 1 ? 1 : 0, n = 1;
        while (first + n < s->ntr && s->tr[first + n].sub) n++;
        memmove(s->tr, s->tr + first, (size_t)n * sizeof s->tr[0]);
        s->ntr = n;
    }
    for (int i = 0; i < s->ntr; i++) {
        const training_row *t = &s->tr[i];
        int whole = i;
        while (whole > 0 && s->tr[whole].sub) whole--; /* a group's programme */
        row_begin(s, c);
        if (t->year == 0) f_str(s, "累计");
        else if (t->year == 9999) f_str(s, "近年");
        else f_num(s, t->year);
        f_str(s, t->program);
        f_str(s, t->kind);
        f_num(s, t->people);
        f_opt(s, t->sessions, t->sessions);
        f_opt(s, t->hours, t->hours);
        f_str(s, t->q);
        if (i + 1 < s->ntr && s->tr[i + 1].sub) f_fmt(s, "培训%d", i + 1);
        else f_str(s, NULL);
        if (t->sub) f_fmt(s, "培训%d", whole + 1);
        else f_str(s, NULL);
        row_end(s, F_TRAINING, 1);
    }
}

static void make_towns(synth *s, rng *r, const county *c)
{
    int used[MAX_TOWNSHIPS] = {0};
    for (int i = 0; i < c->ntowns; i++) {
        const char *ind = c->industry[i];
        int k;
        do k = (int)below(r, (uint64_t)c->ntownships);
        while (used[k]);
        used[k] = 1;
        long long villages = chance(r, 50) ? ri(r, 3, 15) : 0;
        long long area = chance(r, 60) ? round_near(ri(r, 300, 30000), 100) : 0;
        long long output = chance(r, 40) ? round_near(ri(r, 1000, 20000), 100) * 10000 : 0;
        long long visitors = chance(r, 30) ? ri(r, 1, 20) * 10000 : 0;
        long long income = chance(r, 25) ? round_near(ri(r, 800, 12000), 100) : 0;
        char note[160] = "";
        switch (below(r, 5)) {
        case 0: sfmt(note, sizeof note, "全面丰产后综合产值预计超%lld亿元", ri(r, 1, 5)); break;
        case 1: {
            long long sheds = ri(r, 10, 60), farm = ri(r, 3, 12);
            sfmt(note, sizeof note, "大棚%lld座，农事体验项目%lld个", sheds, farm);
            break;
        }
        case 2:
            if (area) sfmt(note, sizeof note, "基地%lld个，面积指种植基地", ri(r, 3, 12));
            break;
        case 3:
            if (visitors) sfmt(note, sizeof note, "游客为近%lld万人", visitors / 10000);
            break;
        default: break;
        }
        row_begin(s, c);
        f_fmt(s, "%s小镇", ind);
        f_str(s, c->township[k]);
        if (chance(r, 60)) f_str(s, ind);
        else f_fmt(s, "%s、%s", ind, chance(r, 60) ? "乡村旅游" : "农旅融合");
        f_opt(s, villages > 0, villages);
        f_opt(s, area > 0, area);
        f_opt(s, output > 0, output);
        f_opt(s, visitors > 0, visitors);
        f_opt(s, income > 0, income);
        f_str(s, note);
        row_end(s, F_TOWNS, 1);
    }
}

typedef struct work_def {
    const char *item, *unit;
    int lo, hi; /* in hundredths when decimals, else whole */
    int decimals;
} work_def;

static const work_def WORKS[] = {
    {"硬化道路", "千米", 100, 3000, 1},       {"新建村路", "公里", 50, 2000, 1},
    {"水池", "座", 1, 20, 0},                 {"给排水管网", "公里", 1, 15, 0},
    {"农副产品转运场地", "平方米", 500, 5000, 0}, {"便民服务中心", "座", 1, 3, 0},
    {"卫生院医疗设备", "台", 1, 12, 0},       {"标准化厂房", "平方米", 1000, 20000, 0},
    {"冷库", "座", 1, 6, 0},                  {"太阳能路灯", "盏", 50, 600, 0},
    {"安全饮水管网", "公里", 2, 40, 0},       {"村容风貌与沟渠整治", "平方米", 1000, 20000, 0},
};

typedef struct work_row {
    int key, w; /* key: the year, 9998 近年, 9999 undated; w: index in WORKS */
    long long q;
} work_row;

static void make_works(synth *s, rng *r, const county *c)
{
    if (chance(r, 40)) return;
    int nw = (int)ri(r, 1, 8), used[NELEM(WORKS)] = {0};
    work_row rows[8];
    for (int i = 0; i < nw; i++) {
        int w;
        do w = (int)below(r, NELEM(WORKS));
        while (used[w]);
        used[w] = 1;
        int p = (int)below(r, 10);
        rows[i].key = p < 5 ? (int)ri(r, FIRST_YEAR, LAST_YEAR) : p < 8 ? 9998 : 9999;
        rows[i].w = w;
        rows[i].q = ri(r, WORKS[w].lo, WORKS[w].hi);
    }
    /* periods ascending, then 近年, then undated (insertion sort keeps ties in order) */
    for (int i = 1; i < nw; i++)
        for (int j = i; j > 0 && rows[j - 1].key > rows[j].key; j--) {
            work_row t = rows[j];
            rows[j] = rows[j - 1];
            rows[j - 1] = t;
        }
    for (int i = 0; i < nw; i++) {
        const work_def *d = &WORKS[rows[i].w];
        row_begin(s, c);
        if (rows[i].key == 9998) f_str(s, "近年");
        else if (rows[i].key == 9999) f_str(s, NULL);
        else f_num(s, rows[i].key);
        f_str(s, d->item);
        if (d->decimals) f_dec2(s, rows[i].q);
        else f_num(s, rows[i].q);
        f_str(s, d->unit);
        row_end(s, F_WORKS, 1);
    }
}

static void indicator(synth *s, const county *c, const char *key, const char *label, long long value,
                      const char *unit, const char *q, const char *period)
{
    row_begin(s, c);
    f_str(s, key);
    f_str(s, label);
    f_num(s, value);
    f_str(s, unit);
    f_str(s, q);
    f_str(s, period);
    row_end(s, F_INDICATORS, 1);
}

static void target(synth *s, const county *c, const char *label, const char *key, long long goal,
                   const char *unit, int has_progress, long long progress, const char *period)
{
    row_begin(s, c);
    f_str(s, "十四五");
    f_str(s, label);
    f_str(s, key);
    f_num(s, goal);
    f_str(s, unit);
    f_str(s, ">=");
    f_opt(s, has_progress, progress);
    f_str(s, has_progress ? period : NULL);
    row_end(s, F_TARGETS, 1);
}

static void gen_county(synth *s, size_t idx, unsigned id)
{
    county c;
    memset(&c, 0, sizeof c);
    rng r;
    rng_seed(&r, s->seed, (uint64_t)idx + 1);
    c.id = id;
    snprintf(c.id_s, sizeof c.id_s, "%u", id);
    c.prov = &PROVINCES[below(&r, NELEM(PROVINCES))];
    county_name(s, &c); /* from the set's stream: names are unique across counties */
    county_basics(&r, &c);
    write_county_rows(s, &c);

    rng vary; /* variety drawn apart from r: the rows r draws stay as they were */
    rng_seed(&vary, s->seed, (uint64_t)idx + 1 + ((uint64_t)1 << 40));
    make_allocations(s, &r, &c);
    int nproj = make_projects(s, &r, &c);
    vary_money(s, &vary, nproj);
    write_allocations(s, &c);
    write_projects(s, &c, nproj);
    long long trained, trained_recent;
    char trained_period[16];
    make_training(s, &r, &vary, &c, &trained, &trained_recent, trained_period, sizeof trained_period);
    make_towns(s, &r, &c);
    make_works(s, &r, &c);

    /* ---- indicators, from the rows above ---- */
    long long aid = 0, alloc_projects = 0, recent_aid = 0, yearly = 0;
    int nyears = 0, recent_first = 0, recent_last = 0;
    for (int i = 0; i < s->nalloc; i++) {
        const alloc *a = &s->alloc[i];
        if (a->sub) continue;
        aid += a->wan;
        alloc_projects += a->projects;
        if (a->y0 == a->y1) {
            yearly += a->wan;
            nyears++;
        }
        if (a->y0 >= 2021) {
            recent_aid += a->wan;
            if (!recent_first) recent_first = a->y0;
            recent_last = a->y1;
        }
    }
    const partner_def *p0 = &PARTNERS[c.part[0]];
    if (aid > 0 && chance(&r, 95)) {
        long long v = aid;
        const char *q = NULL;
        if (chance(&r, 35) && aid >= 1000 && aid % 100) {
            v = round_down(aid, 100);
            q = "余";
        }
        indicator(s, &c, "aid_total", chance(&r, 60) ? "无偿援助资金" : "援助资金", v * 10000, "元", q, NULL);
    }
    long long ptotal = nproj + ri(&r, 0, 2LL * nproj);
    if (ptotal < alloc_projects) ptotal = alloc_projects + ri(&r, 0, nproj);
    if (chance(&r, 92)) indicator(s, &c, "projects_total", "援建项目", ptotal, "个", NULL, NULL);
    if (chance(&r, c.prov->reservoir ? 60 : 10))
        indicator(s, &c, "migrants_resettled", "接收安置外迁移民", ri(&r, 300, 8000), "人", NULL, NULL);
    if (chance(&r, 35))
        indicator(s, &c, "graduates_placed", "接收大中专毕业生", ri(&r, 100, 2000), "人", NULL, NULL);
    if (trained > 0 && chance(&r, 85)) {
        long long v = s->ntr && s->tr[0].year == 0 ? s->tr[0].people : round_down(trained, 10);
        indicator(s, &c, "people_trained", "培训各类人才", v, "人次", v < trained ? "余" : NULL, NULL);
    }
    if (chance(&r, 25))
        indicator(s, &c, "leaders_trained", "培训移民致富带头人", round_down(ri(&r, 50, 600), 10), "人次", "余", NULL);
    if (chance(&r, 70)) {
        int approx = chance(&r, 30);
        long long v = ri(&r, 20, 300);
        indicator(s, &c, "cadres_seconded", "干部挂职锻炼", approx ? round_down(v, 10) : v, "人次",
                  approx ? "余" : NULL, NULL);
    }
    if (chance(&r, 60)) {
        static const char *const q[] = {"近", "约", "余", NULL};
        long long v = chance(&r, 50) ? ri(&r, 2, 60) * 10000 : ri(&r, 5, 99) * 1000;
        indicator(s, &c, "beneficiaries", "受益群众", v, "人", PICK(&r, q), NULL);
    }
    if (chance(&r, 55)) {
        long long n = ri(&r, 3, 40);
        indicator(s, &c, "investment_projects", "引进社会投资项目", n, "个", NULL, NULL);
        if (chance(&r, 85))
            indicator(s, &c, "investment_agreed", "协议投资额",
                      round_near(n * ri(&r, 2000, 15000), 100) * 10000, "元", NULL, NULL);
    }
    int sales_year = (int)ri(&r, 2021, LAST_YEAR);
    char sales_period[8];
    snprintf(sales_period, sizeof sales_period, "%d", sales_year);
    long long sales = 0;
    if (chance(&r, 60)) {
        int approx = chance(&r, 30);
        sales = round_near(ri(&r, 1000, 30000), 10);
        if (approx) sales = round_down(sales, 100);
        indicator(s, &c, "consumption_sales", "消费帮扶销售额", sales * 10000, "元", approx ? "余" : NULL,
                  sales_period);
    }
    if (chance(&r, 35)) {
        char label[64];
        snprintf(label, sizeof label, "农副产品销往%s", p0->short_name);
        indicator(s, &c, "consumption_volume", label, round_near(ri(&r, 1000, 40000), 100), "吨", NULL,
                  sales_period);
    }
    if (chance(&r, 35)) {
        long long v = round_near(ri(&r, 500, 8000), 100) * 10000;
        const char *q = chance(&r, 50) ? "多" : NULL;
        const char *period = chance(&r, 50) ? "近两年" : sales_period;
        indicator(s, &c, "ecommerce_sales", "农村电商销售收入", v, "元", q, period);
    }
    if (chance(&r, 35)) {
        char label[64], period[16];
        int y = (int)ri(&r, 2017, 2022);
        snprintf(label, sizeof label, "%s赴%s交流企业", p0->short_name, c.name);
        snprintf(period, sizeof period, "%d-%d", y, y + 1);
        indicator(s, &c, "enterprises_visited", label, ri(&r, 5, 60), "家", "约", period);
    }

    /* ---- 十四五 targets, for about half the counties ---- */
    if (chance(&r, 50)) {
        char period[16];
        if (recent_first == recent_last) snprintf(period, sizeof period, "%d", recent_first);
        else snprintf(period, sizeof period, "%d-%d", recent_first, recent_last);
        if (nyears && chance(&r, 85)) {
            long long goal = round_up(yearly / nyears * 5 * ri(&r, 80, 110) / 100, 1000);
            int has = recent_aid > 0 && chance(&r, 70);
            target(s, &c, "无偿援助资金", "aid_total", goal * 10000, "元", has, recent_aid * 10000, period);
        }
        if (trained > 0 && chance(&r, 70)) {
            long long goal = round_up(trained * 5 / 8 + 1, 100);
            int has = trained_recent > 0 && chance(&r, 60);
            target(s, &c, "人才和党政干部培训", "people_trained", goal, "人次", has, trained_recent, trained_period);
        }
        if (chance(&r, 40)) {
            long long goal = ri(&r, 5, 20) * 10;
            int has = chance(&r, 50);
            long long done = goal * ri(&r, 30, 100) / 100;
            target(s, &c, "干部挂职锻炼", "cadres_seconded", goal, "人次", has, done, "2021-2023");
        }
        if (sales > 0 && chance(&r, 40)) {
            long long goal = round_up(sales * ri(&r, 3, 6), 10000);
            target(s, &c, "消费帮扶销售额", "consumption_sales", goal * 10000, "元", 1, sales * 10000,
                   sales_period);
        }
    }
}

/* ---- files ---- */

/* Closes every open file, each fsync'd first (output.h: cb_output_fsync); on success (rc
 * CB_OK so far) renames them into place and then fsyncs the folder, else removes the
 * temporaries. */
static int finish_files(synth *s)
{
    for (int f = 0; f < NFILES; f++) {
        if (!s->fp[f]) continue;
        int bad = fflush(s->fp[f]) != 0 || ferror(s->fp[f]) ||
                  (cb_output_fsync() && fsync(fileno(s->fp[f])) != 0);
        int e = errno;
        if (fclose(s->fp[f]) != 0 && !bad) {
            bad = 1;
            e = errno;
        }
        s->fp[f] = NULL;
        if (bad && !s->rc)
            s->rc = cb_fail(s->err, CB_EIO, "%s: cannot write: %s", s->path[f], strerror(e ? e : EIO));
    }
    /* counties.csv last: a reader never sees new counties with old tables */
    static const int order[NFILES] = {F_SCHEMA, F_PARTNERS, F_INDICATORS, F_TRAINING, F_PROJECTS,
                                      F_ALLOCATIONS, F_TOWNS, F_WORKS, F_TARGETS, F_COUNTIES};
    for (int i = 0; i < NFILES && !s->rc; i++) {
        int f = order[i];
        if (rename(s->tmp[f], s->path[f]) != 0)
            s->rc = cb_fail(s->err, CB_EIO, "%s: cannot rename %s into place: %s", s->path[f], s->tmp[f],
                            strerror(errno));
        else {
            free(s->tmp[f]);
            s->tmp[f] = NULL;
        }
    }
    for (int f = 0; f < NFILES; f++)
        if (s->tmp[f]) remove(s->tmp[f]);
    int e = s->rc ? 0 : cb_output_sync_dir(s->path[F_COUNTIES]); /* the renames, made to last */
    if (e) s->rc = cb_fail(s->err, CB_EIO, "%s: cannot sync its folder: %s", s->path[F_COUNTIES], strerror(e));
    return s->rc;
}

int cb_synth_write(const char *dir, size_t n, uint64_t seed, cb_error *err)
{
    if (!dir || !*dir) return cb_fail(err, CB_EUSAGE, "synth: no output folder given");
    if (n < 1 || n > CB_SYNTH_MAX_COUNTIES)
        return cb_fail(err, CB_EUSAGE, "synth: the number of counties must be 1..%d, got %zu",
                       CB_SYNTH_MAX_COUNTIES, n);
    int rc = cb_mkdir_p(dir, 0777, "output folder", err);
    if (rc != CB_OK) return rc;

    synth *s = cb_xcalloc(1, sizeof *s);
    s->dir = dir;
    s->seed = seed;
    s->err = err;
    s->proj = cb_xcalloc(MAX_PROJECTS, sizeof *s->proj);
    rng_seed(&s->set_rng, seed, 0);
    snprintf(s->src, sizeof s->src, "合成数据（synthetic, seed %" PRIu64 "）", seed);
    row_begin(s, NULL);
    f_str(s, s->src);
    snprintf(s->src_csv, sizeof s->src_csv, "%s", s->row.s);
    s->names.cap = 64;
    while (s->names.cap < 2 * n + 64) s->names.cap *= 2;
    s->names.key = cb_xcalloc(s->names.cap, sizeof *s->names.key);

    for (int f = 0; f < NFILES; f++) {
        s->path[f] = cb_path_join(dir, FILE_NAME[f]);
        char *base = cb_xasprintf(".%s.synth-%ld.tmp", FILE_NAME[f], (long)getpid());
        s->tmp[f] = cb_path_join(dir, base);
        free(base);
    }
    for (int f = 0; f < NFILES && !s->rc; f++) {
        unlink(s->tmp[f]); /* a leftover of ours, or something planted: a link goes, not its target */
        int fd = cb_file_open(s->tmp[f], O_WRONLY | O_CREAT | O_EXCL, 0644, NULL);
        s->fp[f] = fd >= 0 ? fdopen(fd, "w") : NULL;
        if (fd >= 0 && !s->fp[f]) close(fd);
        if (!s->fp[f]) {
            s->rc = cb_fail(err, CB_EIO, "%s: cannot create %s: %s", s->path[f], s->tmp[f], strerror(errno));
            break;
        }
        setvbuf(s->fp[f], NULL, _IOFBF, 1 << 16);
        row_begin(s, NULL);
        cb_buf_adds(&s->row, FILE_HEADER[f]);
        s->nfield = 1;
        row_end(s, f, 0);
    }
    for (size_t i = 0; i < NELEM(SCHEMA_ROWS) && !s->rc; i++) {
        row_begin(s, NULL);
        cb_buf_adds(&s->row, SCHEMA_ROWS[i]);
        row_end(s, F_SCHEMA, 0);
    }

    /* ids: ascending 6-digit codes 9xxxxx with random gaps, always leaving room for the
     * counties still to come */
    uint64_t span = 100000 / n, gap = span > 1 ? 2 * span - 1 : 1;
    unsigned prev = 0;
    for (size_t i = 0; i < n && !s->rc; i++) {
        unsigned cap = 999999u - (unsigned)(n - 1 - i);
        unsigned id = i == 0 ? 900000u + (unsigned)below(&s->set_rng, span ? span : 1)
                             : prev + 1u + (unsigned)below(&s->set_rng, gap);
        if (id > cap) id = cap;
        if (i > 0 && id <= prev) id = prev + 1; /* cannot happen: cap > prev */
        prev = id;
        gen_county(s, i, id);
    }

    rc = finish_files(s);
    for (int f = 0; f < NFILES; f++) {
        free(s->path[f]);
        free(s->tmp[f]);
    }
    cb_buf_free(&s->row);
    free(s->names.key);
    free(s->proj);
    free(s);
    return rc;
}
