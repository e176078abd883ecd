//! Word tables for the demo province: surnames with rough frequencies, given-name characters by
//! gender, place-name syllables, ethnicities, majors, schools, employers and company words, and
//! the small samplers over them. Synthetic material only: it must not hold lists of real people.

use rand::Rng;
use rand::seq::SliceRandom;
use rand_chacha::ChaCha8Rng;

use crate::model::{Gender, MajorCategory};

/// Common surnames with approximate weights (per 100,000 people, rounded). The polyphonic
/// surnames (曾 单 覃 仇 解 区 查 朴) appear with modest weight and the compound ones rarely.
pub const SURNAMES: &[(&str, u32)] = &[
    ("王", 7100),
    ("李", 7000),
    ("张", 6600),
    ("刘", 5400),
    ("陈", 4500),
    ("杨", 3100),
    ("黄", 2200),
    ("赵", 2000),
    ("吴", 2000),
    ("周", 1900),
    ("徐", 1400),
    ("孙", 1400),
    ("马", 1300),
    ("朱", 1200),
    ("胡", 1100),
    ("郭", 1100),
    ("何", 1100),
    ("高", 1000),
    ("林", 1000),
    ("罗", 900),
    ("郑", 800),
    ("梁", 800),
    ("谢", 700),
    ("宋", 700),
    ("唐", 700),
    ("许", 700),
    ("韩", 600),
    ("冯", 600),
    ("邓", 600),
    ("曹", 600),
    ("彭", 600),
    ("曾", 500),
    ("肖", 500),
    ("田", 500),
    ("董", 500),
    ("袁", 500),
    ("潘", 400),
    ("于", 400),
    ("蒋", 400),
    ("蔡", 400),
    ("余", 400),
    ("杜", 400),
    ("叶", 400),
    ("程", 400),
    ("苏", 400),
    ("魏", 400),
    ("吕", 400),
    ("丁", 400),
    ("任", 400),
    ("沈", 300),
    ("姚", 300),
    ("卢", 300),
    ("姜", 300),
    ("崔", 300),
    ("钟", 300),
    ("谭", 300),
    ("陆", 300),
    ("汪", 300),
    ("范", 300),
    ("金", 300),
    ("石", 300),
    ("廖", 300),
    ("贾", 300),
    ("夏", 300),
    ("韦", 300),
    ("付", 300),
    ("方", 300),
    ("白", 200),
    ("邹", 200),
    ("孟", 200),
    ("熊", 200),
    ("秦", 200),
    ("邱", 200),
    ("江", 200),
    ("尹", 200),
    ("薛", 200),
    ("闫", 200),
    ("段", 200),
    ("雷", 200),
    ("侯", 200),
    ("龙", 200),
    ("史", 200),
    ("陶", 200),
    ("黎", 200),
    ("贺", 200),
    ("顾", 200),
    ("毛", 200),
    ("郝", 200),
    ("龚", 200),
    ("邵", 200),
    ("万", 200),
    ("钱", 200),
    ("严", 200),
    ("覃", 150),
    ("武", 200),
    ("戴", 200),
    ("莫", 150),
    ("孔", 150),
    ("向", 150),
    ("汤", 150),
    ("常", 120),
    ("温", 120),
    ("康", 120),
    ("施", 120),
    ("文", 120),
    ("牛", 120),
    ("樊", 120),
    ("葛", 120),
    ("邢", 120),
    ("安", 100),
    ("齐", 100),
    ("易", 100),
    ("乔", 100),
    ("伍", 100),
    ("庞", 100),
    ("颜", 100),
    ("倪", 100),
    ("庄", 100),
    ("聂", 100),
    ("章", 100),
    ("鲁", 100),
    ("岳", 100),
    ("翟", 100),
    ("殷", 100),
    ("詹", 100),
    ("申", 100),
    ("耿", 100),
    ("关", 100),
    ("兰", 100),
    ("焦", 100),
    ("俞", 100),
    ("左", 100),
    ("柳", 100),
    ("甘", 100),
    ("祝", 100),
    ("包", 100),
    ("宁", 100),
    ("尚", 100),
    ("符", 100),
    ("舒", 100),
    ("柯", 80),
    ("纪", 80),
    ("梅", 80),
    ("童", 80),
    ("凌", 80),
    ("毕", 80),
    ("季", 80),
    ("裴", 80),
    ("霍", 80),
    ("涂", 80),
    ("苗", 80),
    ("谷", 80),
    ("盛", 80),
    ("翁", 80),
    ("冉", 80),
    ("骆", 80),
    ("蓝", 80),
    ("路", 80),
    ("辛", 80),
    ("靳", 80),
    ("管", 80),
    ("柴", 80),
    ("蒙", 80),
    ("鲍", 80),
    ("喻", 80),
    ("祁", 80),
    ("房", 80),
    ("滕", 80),
    ("屈", 80),
    ("饶", 80),
    ("单", 60),
    ("解", 50),
    ("仇", 40),
    ("查", 40),
    ("区", 30),
    ("朴", 40),
    ("欧阳", 30),
    ("司马", 5),
    ("诸葛", 3),
];

const MALE_FIRST: &[&str] = &[
    "建", "国", "志", "文", "立", "永", "春", "晓", "海", "振", "宏", "德", "明", "卫", "学", "庆",
    "家", "俊", "浩", "宇", "博", "天", "嘉", "子", "云", "新", "长", "金", "玉", "兆", "光", "伟",
    "红", "向", "治", "继", "树", "正", "世", "成", "景", "鸿", "启", "思", "泽", "润", "大", "少",
];
const MALE_SECOND: &[&str] = &[
    "军", "华", "平", "明", "伟", "强", "林", "峰", "斌", "涛", "刚", "辉", "东", "勇", "杰", "宇",
    "鹏", "飞", "龙", "波", "新", "民", "生", "成", "亮", "超", "彬", "磊", "鑫", "松", "柏", "锋",
    "坤", "毅", "诚", "武", "昌", "荣", "祥", "清", "胜", "利", "山", "忠", "义", "良", "海", "江",
];
const FEMALE_FIRST: &[&str] = &[
    "秀", "丽", "晓", "春", "玉", "桂", "海", "雪", "美", "小", "静", "文", "红", "慧", "丹", "淑",
    "佳", "雅", "思", "欣", "晶", "月", "翠", "金", "凤", "艳", "彩", "冬", "爱", "亚", "素", "梦",
];
const FEMALE_SECOND: &[&str] = &[
    "英", "华", "芳", "梅", "兰", "丽", "娟", "红", "霞", "燕", "玲", "琴", "萍", "敏", "静", "婷",
    "洁", "颖", "雪", "倩", "莉", "琳", "慧", "艳", "丹", "娜", "蓉", "芬", "岚", "菊", "荣", "珍",
];

/// First syllables of place names.
pub const PLACE_FIRST: &[&str] = &[
    "青", "临", "安", "平", "永", "宁", "东", "西", "南", "清", "长", "德", "丰", "兴", "宝", "泰",
    "河", "江", "云", "龙", "凤", "石", "白", "金", "新", "广", "怀", "昌", "嘉", "景", "阳", "明",
    "洪", "华", "乐", "庆", "武", "文", "光", "太", "宜", "庄", "通", "和", "顺", "康", "福", "寿",
    "承", "靖", "崇", "汉", "黄", "松", "柳", "桃", "梅", "杨", "桑", "潭", "溪", "峡", "岭", "双",
    "丹", "赤", "翠", "碧", "沙", "泉", "榆", "槐", "枣", "兰", "茂", "盛", "荣", "瑞", "祥", "鹤",
    "鸣", "鹿", "岚", "银", "玉", "万", "会", "合", "延", "彭", "桐", "柏", "竹", "芦", "苍", "沧",
];
/// Second syllables of place names.
pub const PLACE_SECOND: &[&str] = &[
    "河", "川", "山", "阳", "城", "平", "安", "宁", "江", "水", "源", "泉", "州", "丰", "远", "化",
    "兴", "德", "林", "原", "台", "陵", "口", "桥", "塘", "湖", "溪", "峰", "谷", "坪", "关", "门",
    "昌", "乐", "康", "泰", "和", "都", "定", "武", "滨", "浦", "湾", "岗", "店", "集", "庄", "堡",
    "营", "屯", "寨", "岩", "池", "坝", "沟", "渡", "洲", "亭", "丘", "野", "田", "津", "沙", "石",
    "云", "南", "北", "西", "东", "华", "明", "顺", "清", "宜", "春", "秋", "岭", "崖", "泽", "湄",
];
/// Street (街道) names in county seats.
pub const STREET_NAMES: &[&str] = &[
    "城关", "东关", "西关", "南关", "北关", "东城", "西城", "南城", "北城", "新城", "城东", "城西",
    "城南", "城北", "滨河", "河东", "河西", "东湖", "南湖", "新华", "人民", "建设", "文化", "胜利",
    "朝阳", "向阳", "光明", "和平", "解放", "中山",
];

/// Ethnicities with rough weights among the province's cadres.
pub const ETHNICITIES: &[(&str, u32)] = &[
    ("汉族", 8800),
    ("壮族", 300),
    ("回族", 250),
    ("苗族", 200),
    ("土家族", 200),
    ("满族", 150),
    ("蒙古族", 40),
    ("彝族", 20),
    ("侗族", 15),
    ("瑶族", 15),
    ("白族", 10),
];

/// Majors with their 学科门类; the category is what `MajorCategory::infer` reads where it can.
pub const MAJORS: &[(&str, MajorCategory, u32)] = &[
    ("经济学", MajorCategory::Economics, 40),
    ("国际经济与贸易", MajorCategory::Economics, 25),
    ("财政学", MajorCategory::Economics, 20),
    ("金融学", MajorCategory::Economics, 25),
    ("工商管理", MajorCategory::Management, 35),
    ("行政管理", MajorCategory::Management, 45),
    ("会计学", MajorCategory::Management, 30),
    ("公共事业管理", MajorCategory::Management, 15),
    ("农业经济管理", MajorCategory::Management, 20),
    ("法学", MajorCategory::Law, 60),
    ("政治学", MajorCategory::Law, 30),
    ("社会学", MajorCategory::Law, 10),
    ("思想政治教育", MajorCategory::Law, 20),
    ("汉语言文学", MajorCategory::Literature, 55),
    ("新闻学", MajorCategory::Literature, 15),
    ("英语", MajorCategory::Literature, 10),
    ("历史学", MajorCategory::History, 15),
    ("哲学", MajorCategory::Philosophy, 10),
    ("数学与应用数学", MajorCategory::Science, 15),
    ("化学", MajorCategory::Science, 10),
    ("地理科学", MajorCategory::Science, 10),
    ("土木工程", MajorCategory::Engineering, 30),
    ("计算机科学与技术", MajorCategory::Engineering, 30),
    ("水利水电工程", MajorCategory::Engineering, 15),
    ("机械设计制造及其自动化", MajorCategory::Engineering, 15),
    ("环境工程", MajorCategory::Engineering, 10),
    ("农学", MajorCategory::Agriculture, 30),
    ("林学", MajorCategory::Agriculture, 10),
    ("畜牧兽医", MajorCategory::Agriculture, 10),
    ("临床医学", MajorCategory::Medicine, 15),
    ("教育学", MajorCategory::Education, 20),
    ("体育教育", MajorCategory::Education, 5),
    ("美术学", MajorCategory::Art, 5),
];

/// In-service courses: (level is 研究生 unless stated) school kind, major, gives a 硕士.
pub const IN_SERVICE_MAJORS: &[(&str, MajorCategory, bool)] = &[
    ("经济管理", MajorCategory::Management, false),
    ("行政管理", MajorCategory::Management, false),
    ("公共管理", MajorCategory::Management, true),
    ("工商管理", MajorCategory::Management, true),
    ("政治经济学", MajorCategory::Economics, false),
    ("区域经济学", MajorCategory::Economics, true),
    ("法律", MajorCategory::Law, true),
    ("马克思主义理论", MajorCategory::Law, false),
    ("农业推广", MajorCategory::Agriculture, true),
];

/// Words for company names.
pub const BRANDS: &[&str] = &[
    "鑫盛", "恒达", "宏远", "金泰", "华信", "顺发", "永兴", "瑞丰", "隆昌", "嘉禾", "兴旺", "通达",
    "德胜", "福源", "泰和", "广源", "天成", "万通", "锦程", "盛世", "汇通", "宏图", "金穗", "绿源",
];

/// The company-name ending for an industry.
pub fn company_suffix(industry: &str) -> &'static str {
    match industry {
        "建筑" => "建筑工程有限公司",
        "房地产" => "房地产开发有限公司",
        "餐饮" => "餐饮管理有限公司",
        "食品" => "食品有限公司",
        "药品零售" => "大药房有限公司",
        "运输" => "运输有限公司",
        "物流" => "物流有限公司",
        "矿产" => "矿业有限公司",
        "土地" => "土地整理有限公司",
        "医疗" => "医疗器械有限公司",
        "医药" => "医药有限公司",
        "农业" => "农业开发有限公司",
        "养殖" => "养殖专业合作社",
        "旅游" => "旅游开发有限公司",
        "文化娱乐" => "文化娱乐有限公司",
        "软件" => "信息技术有限公司",
        "咨询" => "企业管理咨询有限公司",
        "广告" => "广告传媒有限公司",
        _ => "商贸有限公司",
    }
}

/// Industries a family business may work in (the first ones are also regulated fields).
pub const INDUSTRIES: &[&str] = &[
    "建筑",
    "房地产",
    "餐饮",
    "食品",
    "药品零售",
    "运输",
    "物流",
    "矿产",
    "医疗",
    "农业",
    "养殖",
    "旅游",
    "文化娱乐",
    "商贸",
    "软件",
    "咨询",
    "广告",
    "商贸",
    "餐饮",
    "农业",
];

/// Weighted choice over `(item, weight)` pairs.
pub fn weighted<'a, T>(rng: &mut ChaCha8Rng, table: &'a [(T, u32)]) -> &'a T {
    let total: u32 = table.iter().map(|(_, w)| w).sum();
    let mut pick = rng.gen_range(0..total);
    for (item, w) in table {
        if pick < *w {
            return item;
        }
        pick -= w;
    }
    &table[table.len() - 1].0
}

/// Picks one element of a non-empty slice.
pub fn pick<'a, T>(rng: &mut ChaCha8Rng, items: &'a [T]) -> &'a T {
    items.choose(rng).expect("non-empty table")
}

pub fn surname(rng: &mut ChaCha8Rng) -> &'static str {
    weighted::<&str>(rng, SURNAMES)
}

/// A given name of one or two characters from the pools for the gender.
pub fn given_name(rng: &mut ChaCha8Rng, gender: Gender) -> String {
    let (first, second) = match gender {
        Gender::Male => (MALE_FIRST, MALE_SECOND),
        Gender::Female => (FEMALE_FIRST, FEMALE_SECOND),
    };
    if rng.gen_bool(0.2) {
        pick(rng, second).to_string()
    } else {
        let a = pick(rng, first);
        let mut b = pick(rng, second);
        while b == a {
            b = pick(rng, second);
        }
        format!("{a}{b}")
    }
}

pub fn full_name(rng: &mut ChaCha8Rng, gender: Gender) -> String {
    let s = surname(rng);
    format!("{s}{}", given_name(rng, gender))
}

/// A given name for a relative who shares the surname `surname`.
pub fn name_with_surname(rng: &mut ChaCha8Rng, surname: &str, gender: Gender) -> String {
    format!("{surname}{}", given_name(rng, gender))
}

/// The surname part of a full name (compound surnames recognized).
pub fn surname_of(name: &str) -> &str {
    for (s, _) in SURNAMES {
        if s.chars().count() == 2 && name.starts_with(s) {
            return &name[..s.len()];
        }
    }
    let first = name.chars().next().map_or(0, char::len_utf8);
    &name[..first]
}

/// Fictional school names for a category and level.
pub fn school(
    rng: &mut ChaCha8Rng,
    province: &str,
    prefecture: &str,
    cat: MajorCategory,
    college: bool,
) -> String {
    let short = province.trim_end_matches('省');
    if college {
        return match rng.gen_range(0..3) {
            0 => format!("{prefecture}职业技术学院"),
            1 => format!("{short}经济管理干部学院"),
            _ => format!("{prefecture}师范专科学校"),
        };
    }
    let special = match cat {
        MajorCategory::Agriculture => Some("农业大学"),
        MajorCategory::Medicine => Some("医科大学"),
        MajorCategory::Economics | MajorCategory::Management => Some("财经大学"),
        MajorCategory::Law => Some("政法学院"),
        MajorCategory::Education | MajorCategory::Literature | MajorCategory::History => {
            Some("师范大学")
        }
        MajorCategory::Engineering | MajorCategory::Science => Some("理工大学"),
        _ => None,
    };
    match (special, rng.gen_range(0..10)) {
        (Some(s), 0..=5) => format!("{short}{s}"),
        (_, 6..=7) => format!("{prefecture}学院"),
        _ => format!("{short}大学"),
    }
}

/// A spouse's or adult relative's ordinary employer and post (not a unit of the database).
pub fn ordinary_job(rng: &mut ChaCha8Rng, county: &str, gender: Gender) -> (String, String) {
    let jobs: &[(&str, &[&str])] = &[
        ("第一中学", &["教师", "副校长", "教务处主任"]),
        ("实验小学", &["教师", "教导主任"]),
        ("人民医院", &["医生", "护士", "药剂师", "护士长"]),
        ("中医院", &["医生", "护士"]),
        ("农村商业银行", &["职员", "客户经理", "支行副行长"]),
        ("供电公司", &["职员", "工程师"]),
        ("税务局", &["科员", "四级主任科员"]),
        ("疾病预防控制中心", &["医师", "科员"]),
        ("广播电视台", &["编辑", "记者"]),
        ("邮政分公司", &["职员"]),
    ];
    let (place, posts) = pick(rng, jobs);
    let mut post = pick(rng, posts).to_string();
    if post == "护士长" && gender == Gender::Male {
        post = "医生".into();
    }
    (format!("{county}{place}"), post)
}
