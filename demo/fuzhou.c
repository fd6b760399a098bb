/*
 * The demo city's tables (demo/fuzhou.h). Approximate CGCS2000 longitude/latitude, drawn by
 * hand for the demo, not surveyed: the roads follow the real ones in broad strokes (their
 * vertices are a few, their positions within a few hundred metres); the risk zones, the demo
 * sites and "Demo Lane" are made up for the demo's journeys.
 */
#include "demo/fuzhou.h"

const struct fz_district fz_districts[] = {
    {"350102", "鼓楼区", "Gulou District", "district"},
    {"350103", "台江区", "Taijiang District", "district"},
    {"350104", "仓山区", "Cangshan District", "district"},
    {"350105", "马尾区", "Mawei District", "district"},
    {"350111", "晋安区", "Jin'an District", "district"},
    {"350112", "长乐区", "Changle District", "district"},
    {"350121", "闽侯县", "Minhou County", "county"},
    {"350122", "连江县", "Lianjiang County", "county"},
    {"350123", "罗源县", "Luoyuan County", "county"},
    {"350124", "闽清县", "Minqing County", "county"},
    {"350125", "永泰县", "Yongtai County", "county"},
    {"350128", "平潭县", "Pingtan County", "county"},
    {"350181", "福清市", "Fuqing City", "county_city"},
};
const size_t fz_ndistricts = sizeof(fz_districts) / sizeof(fz_districts[0]);

/*
 * The road register. Junctions: 八一七路 crosses 东街 at 东街口 (a shared vertex), 五四路 crosses
 * 东大路, 湖东路 and 华林路; 中亭街 continues 八一七路 south to the river. 示范巷 (Demo Lane) is
 * made up: 南后街 moved 30 m east, so the demo has two parallel roads 30 m apart.
 */
static const char *const aliases_fz_gl_0001[] = {"Wusi Rd",	    "Wusi Road", "54 Road",
						 "May Fourth Road", "五四北路",	 NULL};
static const char *const aliases_fz_gl_0002[] = {
    "817 Road", "Bayiqi Rd", "August 17th Road", "八一七北路", "八一七中路", "八一七南路", NULL};
static const char *const aliases_fz_gl_0003[] = {"Yangqiao Rd", "杨桥东路", "杨桥中路", "杨桥西路",
						 NULL};
static const char *const aliases_fz_gl_0004[] = {"Gongye Rd", "Industry Road", NULL};
static const char *const aliases_fz_gl_0005[] = {"Dongjie St", "East Street", "Dong Jie", NULL};
static const char *const aliases_fz_gl_0006[] = {"Dongda Rd", "East Avenue", NULL};
static const char *const aliases_fz_gl_0007[] = {"Hudong Rd", "Lake East Road", NULL};
static const char *const aliases_fz_gl_0008[] = {"Hualin Rd", NULL};
static const char *const aliases_fz_gl_0009[] = {"Gutian Rd", NULL};
static const char *const aliases_fz_gl_0010[] = {"Nanhou St", "South Back Street", "Nanhoujie",
						 NULL};
static const char *const aliases_fz_gl_0011[] = {"Demo Lane", "示范巷", NULL};
static const char *const aliases_fz_ja_0001[] = {"Fuma Rd", "Fuzhou-Mawei Road", NULL};
static const char *const aliases_fz_ja_0002[] = {"Liuyi Rd", "June 1st Road", "六一北路",
						 "六一中路", "六一南路",      NULL};
static const char *const aliases_fz_tj_0001[] = {"Jiangbin Ave", "Riverside Avenue", "江滨中大道",
						 "江滨西大道", NULL};
static const char *const aliases_fz_tj_0002[] = {"Zhongting St", "Zhongtingjie", NULL};
static const char *const aliases_fz_cs_0001[] = {"Pushang Ave", "Pushang Road", NULL};
static const char *const aliases_fz_fq_0001[] = {"Qingchang Ave", "Qingchang Road", NULL};
static const char *const aliases_fz_fq_0002[] = {"Liqiao St", "Liqiao Old Street", "利桥古街",
						 NULL};

const struct fz_road fz_roads[] = {
    {"FZ-GL-0001", "五四路", "Wusi Road", aliases_fz_gl_0001, "primary", "350102",
     "LINESTRING(119.305 26.08, 119.3052 26.085, 119.3053 26.09, "
     "119.3055 26.095, 119.3058 26.1, 119.3062 26.105)"},
    {"FZ-GL-0002", "八一七路", "Bayiqi Road", aliases_fz_gl_0002, "primary", "350102",
     "LINESTRING(119.2968 26.101, 119.297 26.095, 119.2972 26.09, "
     "119.2973 26.0866, 119.2972 26.081, 119.297 26.076, 119.2968 26.07, "
     "119.2967 26.064, 119.297 26.058)"},
    {"FZ-GL-0003", "杨桥路", "Yangqiao Road", aliases_fz_gl_0003, "primary", "350102",
     "LINESTRING(119.259 26.0835, 119.266 26.085, 119.274 26.086, "
     "119.281 26.0865, 119.288 26.0868)"},
    {"FZ-GL-0004", "工业路", "Gongye Road", aliases_fz_gl_0004, "primary", "350102",
     "LINESTRING(119.2875 26.0985, 119.287 26.092, 119.2866 26.0867, "
     "119.2858 26.08, 119.285 26.074, 119.2845 26.068, 119.284 26.062)"},
    {"FZ-GL-0005", "东街", "Dongjie Street", aliases_fz_gl_0005, "secondary", "350102",
     "LINESTRING(119.2905 26.0868, 119.294 26.0867, 119.2973 26.0866, "
     "119.3005 26.0864, 119.304 26.0862)"},
    {"FZ-GL-0006", "东大路", "Dongda Road", aliases_fz_gl_0006, "secondary", "350102",
     "LINESTRING(119.304 26.0862, 119.31 26.0859, 119.315 26.0856, "
     "119.32 26.0853, 119.324 26.085)"},
    {"FZ-GL-0007", "湖东路", "Hudong Road", aliases_fz_gl_0007, "secondary", "350102",
     "LINESTRING(119.2985 26.0915, 119.305 26.0913, 119.31 26.0912, "
     "119.315 26.091, 119.321 26.0905)"},
    {"FZ-GL-0008", "华林路", "Hualin Road", aliases_fz_gl_0008, "secondary", "350102",
     "LINESTRING(119.293 26.0985, 119.3 26.0982, 119.306 26.098, "
     "119.312 26.0978, 119.318 26.0975, 119.323 26.0972)"},
    {"FZ-GL-0009", "古田路", "Gutian Road", aliases_fz_gl_0009, "secondary", "350102",
     "LINESTRING(119.3045 26.0805, 119.308 26.0808, 119.312 26.081, "
     "119.3165 26.0812, 119.3205 26.0813)"},
    {"FZ-GL-0010", "南后街", "Nanhou Street", aliases_fz_gl_0010, "branch", "350102",
     "LINESTRING(119.2918 26.0855, 119.2919 26.084, 119.292 26.0825, "
     "119.2921 26.081, 119.2922 26.0797)"},
    {"FZ-GL-0011", "示范巷（演示用，虚构）", "Demo Lane (made up, for the demo)",
     aliases_fz_gl_0011, "branch", "350102",
     "LINESTRING(119.2921 26.0855, 119.2922 26.084, 119.2923 26.0825, "
     "119.2924 26.081, 119.2925 26.0797)"},
    {"FZ-JA-0001", "福马路", "Fuma Road", aliases_fz_ja_0001, "primary", "350111",
     "LINESTRING(119.325 26.079, 119.335 26.076, 119.348 26.072, "
     "119.36 26.068, 119.372 26.061, 119.383 26.052, 119.393 26.043, "
     "119.405 26.034, 119.416 26.024, 119.425 26.013, 119.432 26.004)"},
    {"FZ-JA-0002", "六一路", "Liuyi Road", aliases_fz_ja_0002, "primary", "350111",
     "LINESTRING(119.321 26.107, 119.3212 26.1, 119.3213 26.093, "
     "119.3212 26.086, 119.321 26.079, 119.3205 26.072, 119.32 26.065, "
     "119.3195 26.059)"},
    {"FZ-TJ-0001", "江滨大道", "Jiangbin Avenue", aliases_fz_tj_0001, "primary", "350103",
     "LINESTRING(119.281 26.063, 119.287 26.059, 119.294 26.0545, "
     "119.303 26.051, 119.313 26.0495, 119.323 26.0498, 119.333 26.0508, "
     "119.342 26.0525)"},
    {"FZ-TJ-0002", "中亭街", "Zhongting Street", aliases_fz_tj_0002, "secondary", "350103",
     "LINESTRING(119.297 26.058, 119.2975 26.0545, 119.2983 26.0515, "
     "119.299 26.05)"},
    {"FZ-CS-0001", "浦上大道", "Pushang Avenue", aliases_fz_cs_0001, "primary", "350104",
     "LINESTRING(119.245 26.045, 119.255 26.043, 119.265 26.041, "
     "119.275 26.0395, 119.285 26.038, 119.295 26.036)"},
    {"FZ-FQ-0001", "清昌大道", "Qingchang Avenue", aliases_fz_fq_0001, "primary", "350181",
     "LINESTRING(119.378 25.765, 119.379 25.75, 119.38 25.735, "
     "119.3805 25.72, 119.38 25.705, 119.379 25.69)"},
    {"FZ-FQ-0002", "利桥街", "Liqiao Street", aliases_fz_fq_0002, "branch", "350181",
     "LINESTRING(119.382 25.7215, 119.3845 25.7205, 119.387 25.7195, "
     "119.3895 25.719)"},
};

/*
 * Risk zones, made up for the demo (not the office's real risk map): a low zone on a stretch of
 * a branch road in town and one in Fuqing, so a short dig there can be fast-tracked, and a
 * medium zone on the busy Zhongting Street. (A historic quarter like 三坊七巷 would more likely
 * be a high-risk zone in a real city; the demo uses its branch street for the low-zone case.)
 */
const struct fz_zone fz_zones[] = {
    {"LRZ-GL-0001", "南后街低风险区（演示）", "Nanhou Street low-risk zone (demo)", "low", "350102",
     "POLYGON((119.2908 26.08, 119.2938 26.08, 119.2938 26.085, "
     "119.2908 26.085, 119.2908 26.08))"},
    {"LRZ-FQ-0001", "利桥街低风险区（演示）", "Liqiao Street low-risk zone, Fuqing (demo)", "low",
     "350181",
     "POLYGON((119.3815 25.718, 119.3905 25.718, 119.3905 25.7228, "
     "119.3815 25.7228, 119.3815 25.718))"},
    {"MRZ-TJ-0001", "中亭街中风险区（演示）", "Zhongting Street medium-risk zone (demo)", "medium",
     "350103",
     "POLYGON((119.2955 26.0512, 119.3 26.0505, 119.3 26.059, "
     "119.2955 26.059, 119.2955 26.0512))"},
};

/*
 * Demo plots, each with the dig its journey plans: a part of the road's centreline (vertices on
 * it to 1e-7 degrees). Wusi Road: a long dig on a primary road; Nanhou Street and Liqiao Street:
 * about 40 m on a branch road inside a low zone (the fast track); Dongjiekou: across the
 * junction of 东街 with 八一七路; Zhongting Street: in the medium zone; Cangshan: south of the
 * river; Liqiao Street routes water to Fuqing's company.
 */
const struct fz_site fz_sites[] = {
    {"五四路地块（演示）", "Wusi Road plot (demo)", "福州市鼓楼区五四路东侧",
     "East side of Wusi Road, Gulou District, Fuzhou", "350102", 119.3068, 26.0925, "FZ-GL-0001",
     "LINESTRING(119.3053401 26.0910024, 119.3054601 26.0940016)"},
    {"南后街地块（演示）", "Nanhou Street plot (demo)", "福州市鼓楼区南后街西侧",
     "West side of Nanhou Street, Gulou District, Fuzhou", "350102", 119.2914, 26.0826,
     "FZ-GL-0010",
     "LINESTRING(119.2919934 26.0825996, 119.292 26.0825, "
     "119.2920199 26.0822013)"},
    {"东街口地块（演示）", "Dongjiekou plot (demo)", "福州市鼓楼区东街口北侧",
     "North of Dongjiekou, Gulou District, Fuzhou", "350102", 119.296, 26.0876, "FZ-GL-0005",
     "LINESTRING(119.2954986 26.0866546, 119.2973 26.0866, "
     "119.2989996 26.0864938)"},
    {"中亭街地块（演示）", "Zhongting Street plot (demo)", "福州市台江区中亭街东侧",
     "East side of Zhongting Street, Taijiang District, Fuzhou", "350103", 119.2984, 26.0545,
     "FZ-TJ-0002",
     "LINESTRING(119.297214 26.056502, 119.2975 26.0545, "
     "119.2977689 26.0534917)"},
    {"仓山万达地块（演示）", "Cangshan Wanda plot (demo)", "福州市仓山区浦上大道北侧",
     "North side of Pushang Avenue, Cangshan District, Fuzhou", "350104", 119.2735, 26.0405,
     "FZ-CS-0001",
     "LINESTRING(119.2699927 26.0402511, 119.275 26.0395, "
     "119.2759927 26.0393511)"},
    {"利桥街地块（演示）", "Liqiao Street plot, Fuqing (demo)", "福清市利桥街北侧",
     "North side of Liqiao Street, Fuqing", "350181", 119.3858, 25.7208, "FZ-FQ-0002",
     "LINESTRING(119.3852069 25.7202172, 119.3855862 25.7200655)"},
};
const size_t fz_nroads = sizeof(fz_roads) / sizeof(fz_roads[0]);
const size_t fz_nzones = sizeof(fz_zones) / sizeof(fz_zones[0]);
const size_t fz_nsites = sizeof(fz_sites) / sizeof(fz_sites[0]);

const char *const fz_junction_roads[2] = {"FZ-GL-0002", "FZ-GL-0005"};
const char *const fz_parallel_roads[2] = {"FZ-GL-0010", "FZ-GL-0011"};

/*
 * Service areas of the demo utilities (names as the demo seed creates them). Water: the city's
 * company in the five urban districts, Fuqing's own in Fuqing; the counties have no demo water
 * company, so a water job there meets "no one serves this point". Fuzhou has no district
 * heating; the demo's heat company stands for an industrial steam and heat supplier in the
 * urban districts. Network carriers compete: all four serve the urban districts, only some the
 * counties (Radio & TV does not serve Pingtan).
 */
static const char *const urban[] = {"350102", "350103", "350104", "350105", "350111", NULL};
static const char *const fuqing[] = {"350181", NULL};
static const char *const all[] = {"350102", "350103", "350104", "350105", "350111",
				  "350112", "350121", "350122", "350123", "350124",
				  "350125", "350128", "350181", NULL};
static const char *const gas[] = {"350102", "350103", "350104", "350105", "350111",
				  "350112", "350121", "350181", NULL};
static const char *const radio_tv[] = {"350102", "350103", "350104", "350105", "350111",
				       "350112", "350121", "350122", "350123", "350124",
				       "350125", "350181", NULL};
static const char *const unicom[] = {"350102", "350103", "350104", "350105", "350111",
				     "350112", "350121", "350181", NULL};

const struct fz_service_area fz_service_areas[] = {
    {"City Water Supply Co. (demo)", "water", urban},
    {"Fuqing Water Supply Co. (demo)", "water", fuqing},
    {"State Grid City Power Supply Co. (demo)", "power", all},
    {"City Gas Group (demo)", "gas", gas},
    {"City Heating Co. (demo)", "heat", urban},
    {"Fuzhou Radio & TV Network (demo)", "network", radio_tv},
    {"China Telecom Fuzhou (demo)", "network", all},
    {"China Mobile Fuzhou (demo)", "network", all},
    {"China Unicom Fuzhou (demo)", "network", unicom},
};
const size_t fz_nservice_areas = sizeof(fz_service_areas) / sizeof(fz_service_areas[0]);

/* Well-known places (approximate positions) and the district each is in. */
const struct fz_landmark fz_landmarks[] = {
    {"五一广场", "Wuyi Square", "350102", 119.3035, 26.0787},
    {"三坊七巷", "Three Lanes and Seven Alleys", "350102", 119.2925, 26.0830},
    {"福州火车站", "Fuzhou Railway Station", "350111", 119.318, 26.110},
    {"台江万达（中亭街）", "Taijiang Wanda, Zhongting Street", "350103", 119.297, 26.057},
    {"仓山万达", "Cangshan Wanda", "350104", 119.273, 26.040},
    {"马尾造船厂", "Mawei Shipyard", "350105", 119.45, 25.99},
    {"长乐国际机场", "Changle International Airport", "350112", 119.66, 25.93},
    {"长乐城区", "Changle town centre", "350112", 119.52, 25.96},
    {"闽侯县城（甘蔗）", "Minhou county town (Ganzhe)", "350121", 119.13, 26.15},
    {"连江县城", "Lianjiang county town", "350122", 119.54, 26.20},
    {"罗源县城", "Luoyuan county town", "350123", 119.55, 26.49},
    {"闽清县城", "Minqing county town", "350124", 118.86, 26.22},
    {"永泰县城", "Yongtai county town", "350125", 118.94, 25.87},
    {"平潭县城", "Pingtan county town", "350128", 119.79, 25.50},
    {"福清市政府", "Fuqing city government", "350181", 119.376, 25.720},
};
const size_t fz_nlandmarks = sizeof(fz_landmarks) / sizeof(fz_landmarks[0]);
