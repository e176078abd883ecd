//! Every word the interface shows, in one place (Chinese by default). Owns wording and small
//! formatters for durations and counts; it must not decide layout, style or behaviour.
//! Symbols used here are never of ambiguous East Asian width (no …, ·, —, ■, arrows).

use super::action::Action;

pub const APP_TITLE: &str = "干部库";

// ---- panes ------------------------------------------------------------------------------
pub const PANE_LOOKUP: &str = "查询";
pub const PANE_DOSSIER: &str = "档案";
pub const PANE_TIMELINE: &str = "履历";
pub const PANE_FILTER: &str = "筛选";
pub const PANE_TEAM: &str = "班子";
pub const PANE_ALERTS: &str = "预警";
pub const PANE_RESERVE: &str = "后备";

// ---- status bar and messages --------------------------------------------------------------
pub const TOTAL: &str = "库中共 {n} 人";
/// A write the service refused (the role may not take data out), or could not record.
pub const NOT_ALLOWED: &str = "未执行：{err}";
/// The top bar's user and role when connected to the service.
pub const WHO: &str = "{user}·{role}";
pub const MASK_BADGE: &str = "【会议模式】";
pub const MASK_ON: &str = "会议模式已开启：敏感信息已隐藏";
pub const MASK_OFF: &str = "会议模式已关闭";
pub const MASKED: &str = "（会议模式，已隐藏）";
/// A section the user's role may not see (the service did not send it).
pub const WITHHELD: &str = "（无权查看）";
pub const PUNISHMENTS_WITHHELD: &str = "处分及组织处理（无权查看）";
pub const FORM_WITHHELD: &str = "您的角色无权查看这一部分，也不能编辑它";
pub const NO_PERSON: &str = "尚未选择干部：在查询页选中一人后按 Enter";
pub const NO_SELECTION: &str = "没有选中的查询结果";
pub const AT_TOP_LEVEL: &str = "已在最上层；按 {key} 退出";
pub const UNKNOWN_COMMAND: &str = "未知命令“{name}”（按 Tab 补全）";
pub const DOSSIER_GONE: &str = "档案 #{id} 已不存在（可能已被删除）";
pub const DOSSIER_UNREADABLE: &str = "无法读取档案 #{id}：{err}";
pub const LOAD_FAILED: &str = "载入档案失败：{err}";
pub const LOADER_STOPPED: &str = "载入线程意外退出";
pub const LOAD_SKIPPED: &str = "有 {n} 份档案无法读取，已跳过（可运行 cadre check 检查）";

// ---- lookup pane ------------------------------------------------------------------------
pub const QUERY_PROMPT: &str = "查询：";
pub const LOADING: &str = "正在载入档案，请稍候";
pub const QUERY_HINT: &str = "输入姓名、拼音、首字母或身份证号尾号（库中共 {n} 人）";
pub const NO_MATCH: &str = "没有找到匹配的干部";
pub const FOUND: &str = "找到 {n} 人";
pub const FOUND_LIMITED: &str = "只列出最先的 {limit} 人，请多输入几个字缩小范围";
pub const COL_NAME: &str = "姓名";
pub const COL_GENDER: &str = "性别";
pub const COL_AGE: &str = "年龄";
pub const COL_POST: &str = "现任职务";
pub const COL_UNIT: &str = "单位";

// ---- filter pane ------------------------------------------------------------------------
pub const FL_PROMPT: &str = "条件：";
pub const FL_HINT: &str = "按 {key} 从菜单添加条件，或直接输入，例如：";
pub const FL_ERROR: &str = "第 {pos} 字处应为{expected}，实为{found}";
pub const FL_ERROR_END: &str = "条件不完整：结尾处应为{expected}";
pub const FL_COUNT: &str = "符合 {n} 人（库中共 {total} 人）";
pub const FL_EVALUATING: &str = "正在筛选";
pub const FL_CANONICAL: &str = "规范写法：";
pub const FL_NONE: &str = "没有符合条件的干部";
pub const FL_EXPORT_PROMPT: &str = "导出到：";
pub const FL_NAME_PROMPT: &str = "条件名称：";
pub const FL_SAVED_TITLE: &str = "已存条件（Enter 载入，{rename} 改名，{delete} 删除，Esc 关闭）";
pub const FL_SAVED_NONE: &str = "还没有保存过条件";
pub const FL_SAVED: &str = "条件「{name}」已保存";
pub const FL_RENAMED: &str = "条件「{old}」已改名为「{name}」";
pub const FL_DELETED: &str = "条件「{name}」已删除";
pub const FL_NOTHING_TO_SAVE: &str = "条件为空或有误，不能保存";
pub const FL_STORE_FAILED: &str = "操作失败：{err}";
pub const FL_EXPORT_DEFAULT: &str = "筛选结果";
pub const FL_EXPORTED: &str = "已导出 {n} 人到 {path}";
pub const FL_EXPORT_FAILED: &str = "导出失败：{err}";
pub const FL_NOTHING_TO_EXPORT: &str = "没有可导出的结果";
pub const FL_COL_BIRTH: &str = "出生年月";
pub const FL_COL_RANK: &str = "职务层次";
pub const FL_COL_UNIT: &str = "工作单位";
pub const FL_COL_SINCE: &str = "任现职时间";
pub const FL_SORTED: &str = "按{col}{dir}";
pub const FL_ASCENDING: &str = "升序";
pub const FL_DESCENDING: &str = "降序";
pub const FL_ADDED_TO_TEAM: &str = "已将{name}加入「{unit}」的调整方案（班子页查看）";
pub const FL_NO_TEAM: &str = "先在班子页选定一个单位，再把筛选结果加入其调整方案";
pub const FL_CONDITION_ADDED: &str = "已加入条件：{cond}";

// ---- filter builder menus ---------------------------------------------------------------
pub const FB_TITLE: &str = "添加条件";
pub const FB_TYPED: &str = "输入：";
pub const FB_STEP_JOIN: &str = "新条件与已有条件的关系";
pub const FB_STEP_FIELD: &str = "选条件（输入文字缩小范围）";
pub const FB_STEP_OP: &str = "选比较方式";
pub const FB_STEP_VALUE: &str = "选取值";
pub const FB_STEP_VALUES: &str = "选取值：Tab 多选，Enter 完成";
pub const FB_STEP_NUMBER: &str = "输入数字，按 Enter";
pub const FB_STEP_COUNT: &str = "输入任职个数，按 Enter";
pub const FB_STEP_TEXT: &str = "输入文字或选库中已有的值";
pub const FB_STEP_WINDOW: &str = "近几年？输入年数（直接按 Enter 为 {default} 年）";
pub const FB_STEP_WINDOW_ANY: &str = "近几年？输入年数（直接按 Enter 为不限年份）";
pub const FB_STEP_GRADE: &str = "选考核等次";
pub const FB_STEP_QUANT: &str = "选年数要求";
pub const FB_STEP_AT_LEAST: &str = "至少几年？输入年数";
pub const FB_STEP_POST: &str = "任职条件：逐项选入，选「完成」结束";
pub const FB_STEP_UNIT_KIND: &str = "选单位类型";
pub const FB_STEP_UNIT_LEVEL: &str = "选单位层级";
pub const FB_STEP_RANK_OP: &str = "职务层次的比较方式";
pub const FB_STEP_RANK: &str = "选职务层次";
pub const FB_JOIN_AND: &str = "同时满足";
pub const FB_JOIN_OR: &str = "满足其一即可";
pub const FB_JOIN_AND_NOT: &str = "并且不满足新条件";
pub const FB_JOIN_OR_NOT: &str = "或者不满足新条件";
pub const FB_OP_LT: &str = "小于";
pub const FB_OP_LE: &str = "不大于";
pub const FB_OP_GT: &str = "大于";
pub const FB_OP_GE: &str = "不小于";
pub const FB_OP_EQ: &str = "等于";
pub const FB_OP_NE: &str = "不等于";
pub const FB_OP_IN: &str = "属于其中之一（可多选）";
pub const FB_OP_CONTAINS: &str = "包含";
pub const FB_AS_TYPED: &str = "按输入";
pub const FB_COUNT: &str = "{n} 处";
pub const FB_QUANT_EACH: &str = "近{n}年每年都是";
pub const FB_QUANT_ANY: &str = "近{n}年至少一年是";
pub const FB_QUANT_AT_LEAST: &str = "近{n}年中至少K年是（K 随后输入）";
pub const FB_DONE: &str = "完成";
pub const FB_ITEM_GRASSROOTS: &str = "乡镇、街道或县级单位";
pub const FB_ITEM_PRINCIPAL: &str = "班子正职";
pub const FB_ITEM_DEPUTY: &str = "班子副职";
pub const FB_ITEM_MEMBER: &str = "班子成员";
pub const FB_ITEM_CONCURRENT: &str = "兼任的职务";
pub const FB_ITEM_NOT_CONCURRENT: &str = "非兼任的职务";
pub const FB_ITEM_UNIT_KIND: &str = "党委、政府、乡镇等";
pub const FB_ITEM_UNIT_LEVEL: &str = "省级、市级、县级、乡级";
pub const FB_ITEM_RANK: &str = "如 层次>=县处级副职";
pub const FB_ITEM_PORTFOLIO: &str = "分管工作包含";
pub const FB_ITEM_UNIT: &str = "单位名称包含";
pub const FB_ITEM_POSITION: &str = "职务名称包含";
pub const FB_NOTHING: &str = "没有可选的项";
pub const FB_BAD_NUMBER: &str = "请输入一个数字";
pub const FB_BAD_COUNT: &str = "请输入不小于 0 的整数";
pub const FB_BAD_YEARS: &str = "请输入 1 到 100 的整数年数";
pub const FB_AT_LEAST_OVER: &str = "不能超过 {n} 年";
pub const FB_GROUP_IDENTITY: &str = "基本信息";
pub const FB_GROUP_EDUCATION: &str = "学历培训";
pub const FB_GROUP_POSTINGS: &str = "任职";
pub const FB_GROUP_ASSESSMENTS: &str = "考核";
pub const FB_GROUP_REWARDS: &str = "奖惩与监督";
pub const FB_GROUP_RESERVE: &str = "后备与状态";

// printable reports
pub const RP_FORM_WRITTEN: &str = "任免审批表已写入 {path}";
pub const RP_TEAM_WRITTEN: &str = "班子结构统计已写入 {path}";
pub const RP_FAILED: &str = "报表写入失败：{err}";
pub const RP_NO_DOSSIER: &str = "先打开一份档案";
pub const RP_NO_TEAM: &str = "先选一个班子";
pub const RP_NO_DIR: &str = "无法确定用户数据目录，报表未写入";
/// File names of the reports (in the reports folder of the data directory).
pub const RP_FORM_FILE: &str = "干部任免审批表_{id}.html";
pub const RP_TEAM_FILE: &str = "班子结构_{unit}.xlsx";
pub const RP_STATS_FILE: &str = "班子结构统计_按单位类型.xlsx";
pub const RP_STATS_WRITTEN: &str = "{n} 个班子的结构统计已写入 {path}";
pub const RP_NOT_LOADED: &str = "数据尚未载入完毕，请稍候";

// ---- team pane --------------------------------------------------------------------------
pub const TM_SEARCH: &str = "查找单位：";
pub const TM_TITLE: &str = "{unit}  班子 {n} 人  平均年龄 {age} 岁";
pub const TM_CHOOSE: &str = "在左侧单位树中选择单位后按 Enter，或按 / 输入单位名称查找";
pub const TM_EMPTY: &str = "该单位班子暂无成员";
pub const TM_NO_UNITS: &str = "没有匹配的单位";
pub const TM_COL_POST: &str = "职务";
pub const TM_COL_NAME: &str = "姓名";
pub const TM_COL_AGE: &str = "年龄";
pub const TM_AGE_BANDS: [&str; 4] = ["40以下", "40-49", "50-54", "55以上"];
pub const TM_G_EDU: &str = "大学以上";
pub const TM_G_WOMEN: &str = "女干部";
pub const TM_G_NON_PARTY: &str = "非中共党员";
pub const TM_G_LOCAL: &str = "本地干部";
pub const TM_GRADIENT: &str = "年龄梯度";
pub const TM_SHARE: &str = "{k}/{n}";
pub const TM_WARNINGS: &str = "结构提示";
pub const TM_NO_WARNINGS: &str = "符合各项班子结构规则";
pub const TM_WHATIF_TITLE: &str = "{unit}  调整方案（未保存，Esc 放弃）";
pub const TM_PLAN_TITLE: &str = "{unit}  方案「{name}」";
pub const TM_REMOVED: &str = "减";
pub const TM_ADDED: &str = "增";
pub const TM_COMPARE: &str = "项目";
pub const TM_NOW: &str = "现状";
pub const TM_AFTER: &str = "调整后";
pub const TM_M_SIZE: &str = "人数";
pub const TM_M_MEAN: &str = "平均年龄";
pub const TM_M_WARNINGS: &str = "结构提示条数";
pub const TM_M_BANDS: &str = "各年龄段";
pub const TM_WHATIF_WARNINGS: &str = "调整后的结构提示";
pub const TM_NO_CHOSEN: &str = "先在左侧选定一个单位";
pub const TM_NO_CANDIDATE: &str = "没有可加入的人选：先在查询页选中一人并打开档案";
pub const TM_ALREADY_MEMBER: &str = "{name}已在班子中";
pub const TM_NO_POST: &str = "{name}没有现任职务，无法作为人选";
pub const TM_PLAN_PROMPT: &str = "方案名称：";
pub const TM_PLAN_SAVED: &str = "方案「{name}」已保存";
pub const TM_PLAN_FAILED: &str = "无法保存方案：{err}";
pub const TM_PLANS_TITLE: &str = "已存方案（Enter 打开，Esc 关闭）";
pub const TM_NO_PLANS: &str = "还没有保存过方案";
pub const TM_PLANS_UNREADABLE: &str = "无法读取方案：{err}";
pub const TM_PLAN_LINE: &str = "{name}  {unit}  减 {r} 人  增 {a} 人";
pub const TM_NOTHING_CHANGED: &str = "方案没有任何调整：先减去或加入成员";
pub const TM_REGION_TITLE: &str = "同类班子对比：{kind}（{level}），共 {n} 个；按 {key} 换排序项";
pub const TM_REGION_COLS: [&str; 8] = [
    "单位",
    "人数",
    "平均年龄",
    "40岁以下",
    "女干部",
    "非中共党员",
    "大学以上",
    "提示",
];
pub const TM_NOT_A_TEAM: &str = "{unit}是地区，没有班子；按右键展开下级单位";

// ---- alerts pane ------------------------------------------------------------------------
pub const AL_SEVERITY: &str = "等级：";
pub const AL_RULE: &str = "规则：";
pub const AL_REVIEWED: &str = "已复核：";
pub const AL_UNIT: &str = "单位：";
pub const ALL: &str = "全部";
pub const AL_AT_LEAST: &str = "{sev}及以上";
pub const AL_SHOW: &str = "显示";
pub const AL_HIDE: &str = "隐藏";
pub const AL_COUNT: &str = "列出 {n} 条，共 {total} 条，已复核 {reviewed} 条";
pub const AL_DERIVING: &str = "正在扫描预警，请稍候";
pub const AL_NONE: &str = "没有符合条件的预警";
pub const AL_WITHHELD: &str = "（无权查看）预警只对有预警权限的角色显示";
pub const AL_COL_SEVERITY: &str = "等级";
pub const AL_COL_REVIEWED: &str = "复核";
pub const AL_COL_SUBJECT: &str = "对象";
pub const AL_COL_UNIT: &str = "单位";
pub const AL_COL_RULE: &str = "规则";
pub const AL_COL_DETAIL: &str = "情况";
pub const AL_TEAM: &str = "班子";
pub const AL_REVIEWED_MARK: &str = "已核";
pub const AL_L_RULE: &str = "规则";
pub const AL_L_DETAIL: &str = "情况";
pub const AL_L_SOURCE: &str = "依据";
pub const AL_L_REVIEW: &str = "复核";
pub const AL_NOT_REVIEWED: &str = "未复核（按 {key} 标记已复核）";
pub const AL_REVIEW_BY: &str = "{by} 于 {at} 已复核";
pub const AL_NOTE_PROMPT: &str = "复核意见：";
pub const AL_MARKED: &str = "已标记为已复核：{name} {rule}";
pub const AL_UNMARKED: &str = "已取消复核标记：{name} {rule}";
pub const AL_TEAM_NO_DOSSIER: &str = "这是班子预警，没有对应的个人档案";
pub const AL_NO_SELECTION: &str = "没有选中的预警";
pub const REVIEW_FAILED: &str = "无法保存复核标记：{err}";
pub const REVIEWS_UNREADABLE: &str = "无法读取复核标记：{err}";

// ---- reserve pane -----------------------------------------------------------------------
pub const RS_READINESS: &str = "成熟度：";
pub const RS_SORTED: &str = "排序：";
pub const RS_ASC: &str = "升序";
pub const RS_DESC: &str = "降序";
pub const RS_COUNT: &str = "列出 {n} 人，后备库共 {total} 人";
pub const RS_NONE: &str = "没有符合条件的后备干部";
pub const RS_COL_NAME: &str = "姓名";
pub const RS_COL_AGE: &str = "年龄";
pub const RS_COL_POST: &str = "现任职务";
pub const RS_COL_TARGET: &str = "拟任";
pub const RS_COL_READINESS: &str = "成熟度";
pub const RS_COL_GAPS: &str = "差距";
pub const RS_GAPS_TITLE: &str = "{name} 与拟任{target}的差距：";
pub const RS_NO_GAPS: &str = "{name} 已具备拟任{target}的任职资格条件";
pub const RS_SINCE: &str = "列入后备：";
pub const RS_GAP: &str = "需{need}，现{have}";

// ---- dossier pane -----------------------------------------------------------------------
pub const SECTIONS: [&str; 7] = [
    "一、基本信息",
    "二、学历学位与培训",
    "三、任职经历",
    "四、年度考核",
    "五、奖惩与监督",
    "六、家庭成员及社会关系",
    "七、专长与业绩",
];
pub const SECTION_TABS: [&str; 7] = ["基本", "学历", "任职", "考核", "奖惩", "家庭", "专长"];
pub const BORN: &str = "生";
pub const AGE_SUFFIX: &str = "岁";
pub const CURRENT_POST: &str = "现任：";
pub const CURRENT_LEVEL: &str = "现级别：";
pub const IN_POST_FOR: &str = "任现职";
pub const AT_LEVEL_FOR: &str = "任现级";
pub const NONE: &str = "无";
pub const EMPTY: &str = "（无）";
pub const UNKNOWN: &str = "不详";
pub const PRESENT: &str = "至今";
pub const RESERVE_PREFIX: &str = "后备：";
pub const RESERVE_TARGET: &str = "拟任";
pub const SINCE: &str = "起";

pub const L_GENDER: &str = "性别";
pub const L_ETHNICITY: &str = "民族";
pub const L_BIRTH: &str = "出生年月";
pub const L_NATIVE: &str = "籍贯";
pub const L_BIRTHPLACE: &str = "出生地";
pub const L_PARTY_ENTRY: &str = "入党时间";
pub const L_WORK_START: &str = "参加工作时间";
pub const L_HEALTH: &str = "健康状况";
pub const L_POLITICAL: &str = "政治面貌";
pub const L_TITLE: &str = "专业技术职务";
pub const L_ID_NUMBER: &str = "身份证号";
pub const L_STATUS: &str = "干部状态";
pub const L_RESERVE: &str = "后备情况";
pub const L_LAST_REPORT: &str = "个人事项报告";
pub const L_PHOTO: &str = "照片";
pub const PHOTO_YES: &str = "已存档";
pub const PHOTO_NO: &str = "无";
pub const L_EDUCATION: &str = "学历学位";
pub const L_TRAINING: &str = "培训";
pub const HOURS: &str = "学时";
pub const L_REWARDS: &str = "奖惩";
pub const L_FINDINGS: &str = "监督信息";
pub const RESOLVED: &str = "已办结";
pub const UNRESOLVED: &str = "未办结";
pub const L_CONCLUSION: &str = "结论";
pub const NO_GRADE: &str = "不定等次";
pub const DEMOCRATIC: &str = "民主测评";
pub const SPECIAL: &str = "专项";
pub const TALK: &str = "谈话";
pub const BUSINESS: &str = "经商办企业";
pub const L_SPECIALTY: &str = "专长";
pub const L_SKILLS: &str = "专业技能";
pub const L_LANGUAGES: &str = "语言";
pub const L_ACHIEVEMENTS: &str = "业绩纪实";
pub const CONCURRENT: &str = "兼任";
pub const PROBATION: &str = "试用期";
pub const CURRENT_MARK: &str = "现任";
pub const PORTFOLIO: &str = "分管";

// ---- timeline pane ----------------------------------------------------------------------
pub const TL_COL_LABEL: &str = "起止时间        级别 职务及单位";
pub const TL_DETAIL: &str = "任职详情";
pub const TL_RANK: &str = "级别";
pub const TL_ROLE: &str = "职位类别";
pub const TL_NO_POSTINGS: &str = "没有任职记录";
pub const TL_GAP: &str = "与上一职务间隔 {n}";
pub const TL_OVERLAP: &str = "与上一职务重叠 {n}";
pub const TL_LEGEND: &str =
    "图例：-乡科级  =县处级  #厅局级  *省部级  @国家级  :未定级  >至今  .间隔";
pub const FLAG_CURRENT: &str = "现";
pub const FLAG_CONCURRENT: &str = "兼";
pub const FLAG_OVERLAP: &str = "叠";

// ---- overlays ---------------------------------------------------------------------------
pub const HELP_TITLE: &str = "帮助（Esc 关闭，上下键滚动）";
pub const HELP_SECTION_GLOBAL: &str = "全局";
pub const HELP_SECTION_LOOKUP: &str = "查询页（输入时）";
pub const HELP_SECTION_DOSSIER: &str = "档案页";
pub const HELP_SECTION_TIMELINE: &str = "履历页";
pub const HELP_SECTION_FILTER: &str = "筛选页（输入时）";
pub const HELP_SECTION_TEAM: &str = "班子页";
pub const HELP_SECTION_ALERTS: &str = "预警页";
pub const HELP_SECTION_RESERVE: &str = "后备干部页";
pub const HELP_SECTION_PROMPT: &str = "页内输入框（查找、筛选文字、复核意见）";
pub const HELP_SECTION_HELP: &str = "帮助窗口";
pub const HELP_SECTION_COMMAND: &str = "命令行";
pub const HELP_SECTION_EDIT: &str = "输入框编辑";
pub const HELP_SECTION_MENU: &str = "筛选页的添加条件菜单";
pub const HELP_SECTION_FORM: &str = "编辑表单";
pub const HELP_SECTION_HISTORY: &str = "修改历史";
pub const HELP_SECTION_PICK: &str = "选择要修改的记录";
pub const HELP_COMMANDS: &str = "命令行可用 : 打开，输入动作名（如 toggle_mask）后按 Enter。";
pub const COMMAND_PROMPT: &str = ":";
pub const COMMAND_NO_MATCH: &str = "（没有匹配的命令）";

// ---- configuration ------------------------------------------------------------------------
pub const CONFIG_AT: &str = "{file} 第 {line} 行：{msg}；已改用默认设置";
pub const CONFIG_FILE: &str = "{file}：{msg}；已改用默认设置";
pub const CFG_SYNTAX: &str = "TOML 语法错误（{detail}）";
pub const CFG_UNREADABLE: &str = "无法读取（{detail}）";
pub const CFG_UNKNOWN_ACTION: &str = "未知的动作“{name}”";
pub const CFG_UNKNOWN_KEY: &str = "无法识别的按键名“{name}”";
pub const CFG_UNKNOWN_SECTION: &str = "未知的键位分组“{name}”（可用：{list}）";
pub const CFG_BINDING_SHAPE: &str =
    "键位应写成 {{ run = \"动作名\", desc = \"说明\" }} 或 \"动作名\"";
pub const CFG_UNKNOWN_FIELD: &str = "未知的字段“{name}”";
pub const CFG_NOT_STRING: &str = "“{name}”的值应为字符串";
pub const CFG_BAD_COLOR: &str =
    "无法识别的颜色“{name}”（可用 16 色名称如 red、light-blue，或 #rrggbb）";
pub const CFG_BAD_MODIFIER: &str =
    "无法识别的修饰“{name}”（可用 bold、dim、italic、underlined、reversed）";
pub const CFG_UNKNOWN_STYLE: &str = "未知的样式名“{name}”";
pub const CFG_STYLE_SHAPE: &str =
    "样式应写成颜色名或 {{ fg = \"颜色\", bg = \"颜色\", modifiers = [\"bold\"] }}";
pub const CFG_UNKNOWN_THEME: &str = "未知的主题“{name}”（可用：{list}）";
pub const CFG_UNKNOWN_KEYMAP: &str = "未知的键位方案“{name}”（可用：{list}）";
pub const CFG_UNKNOWN_SETTING: &str =
    "未知的设置项“{name}”（可用：theme、keymap、lock_after_minutes）";
pub const CFG_BAD_LOCK: &str = "空闲锁定时间 lock_after_minutes 应为 0 到 {max} 之间的整数分钟（0 表示从不锁定，默认 {default}），现为 {value}";

// ---- idle lock --------------------------------------------------------------------------
pub const LOCK_TITLE: &str = "已锁定";
pub const LOCK_HEADING: &str = "界面已锁定";
pub const LOCK_EXPLAIN: &str = "长时间没有按键，为保护档案信息，界面已锁定。";
pub const LOCK_ASK: &str = "请输入您登录本机所用的系统用户名，按 Enter 解锁。";
pub const LOCK_PROMPT: &str = "用户名：";
pub const LOCK_WRONG: &str = "用户名不符，请输入您自己的系统用户名";
pub const LOCK_STATUS: &str = "Enter 解锁  Ctrl-C 退出 cadre";

// ---- punctuation and small words used to join fields ----------------------------------
pub const COMMA: &str = "，";
pub const LIST_SEP: &str = "、";
pub const COLON: &str = "：";
pub const YEAR: &str = "年";

/// Text in full-width parentheses: （text）.
pub fn paren(text: &str) -> String {
    format!("（{text}）")
}

/// `label：` as a field label before its value.
pub fn labelled(label: &str) -> String {
    format!("{label}{COLON}")
}

/// A two-character marker for a rank, as clerks abbreviate it (正处, 副科, 一调).
pub fn rank_short(rank: crate::model::Rank) -> &'static str {
    use crate::model::Rank::*;
    match rank {
        NationalPrincipal => "正国",
        NationalDeputy => "副国",
        ProvincialPrincipal => "正部",
        ProvincialDeputy => "副部",
        BureauPrincipal => "正厅",
        BureauDeputy => "副厅",
        CountyPrincipal => "正处",
        CountyDeputy => "副处",
        TownshipPrincipal => "正科",
        TownshipDeputy => "副科",
        Inspector1 => "一巡",
        Inspector2 => "二巡",
        Researcher1 => "一调",
        Researcher2 => "二调",
        Researcher3 => "三调",
        Researcher4 => "四调",
        Clerk1 => "一主",
        Clerk2 => "二主",
        Clerk3 => "三主",
        Clerk4 => "四主",
        Staff1 => "一科",
        Staff2 => "二科",
    }
}

/// Engine text for the screen: curly quotes (of ambiguous width) become corner brackets.
pub fn unambiguous(text: &str) -> String {
    text.replace('“', "「")
        .replace('”', "」")
        .replace('‘', "『")
        .replace('’', "』")
}

/// Replaces `{name}` placeholders in a template.
pub fn fill(template: &str, args: &[(&str, &dyn std::fmt::Display)]) -> String {
    let mut out = template.to_string();
    for (k, v) in args {
        out = out.replace(&format!("{{{k}}}"), &v.to_string());
    }
    out
}

/// A span of months as clerks say it: 3年2个月, 5年, 7个月, 不足1个月.
pub fn months(n: i32) -> String {
    let n = n.max(0);
    match (n / 12, n % 12) {
        (0, 0) => "不足1个月".to_string(),
        (0, m) => format!("{m}个月"),
        (y, 0) => format!("{y}年"),
        (y, m) => format!("{y}年{m}个月"),
    }
}

/// The short default description of an action, used when a binding in a user keymap has no
/// `desc` and in command-line completion.
pub fn action_desc(a: &Action) -> &'static str {
    use Action::*;
    match a {
        Quit => "退出",
        EditDossier => "修改基本信息和干部状态",
        NewDossier => "新建档案",
        AddPosting => "新增任职",
        EditPosting => "修改选中的任职",
        AddAssessment => "新增年度考核",
        AddTraining => "新增培训",
        AddFamily => "新增家庭成员",
        AddFinding => "新增监督信息",
        NextField => "下一项",
        PrevField => "上一项",
        SaveForm => "保存",
        ShowHistory => "修改历史",
        UndoChange => "撤销这次修改",
        AddEducation => "新增学历",
        AddReward => "新增奖惩",
        AddAchievement => "新增业绩",
        EditRecord => "修改专长与业绩",
        EditEntry => "修改已有的一条记录",
        Back => "返回上一层",
        Help => "帮助",
        CommandLine => "命令行",
        ToggleMask => "会议模式开关",
        ShowLookup => "查询页",
        ShowDossier => "档案页",
        ShowTimeline => "履历页",
        ShowFilter => "筛选页",
        ShowTeam => "班子页",
        ShowAlerts => "预警页",
        ShowReserve => "后备干部页",
        NextPane => "下一页面",
        PrevPane => "上一页面",
        Up => "上移",
        Down => "下移",
        PageUp => "上翻页",
        PageDown => "下翻页",
        Top => "到开头",
        Bottom => "到末尾",
        NextSection => "下一部分",
        PrevSection => "上一部分",
        CursorLeft => "光标左移",
        CursorRight => "光标右移",
        CursorHome => "光标到行首",
        CursorEnd => "光标到行尾",
        DeleteBack => "删除前一字",
        DeleteForward => "删除后一字",
        DeleteWord => "删除前一词",
        ClearLine => "清空输入",
        KillToEnd => "删除到行尾",
        Confirm => "执行",
        CompleteNext => "补全（下一个）",
        CompletePrev => "补全（上一个）",
        Expand => "展开",
        Collapse => "收起",
        SwitchFocus => "切换左右栏",
        RemoveMember => "调整方案：减去或恢复选中成员",
        AddCandidate => "调整方案：加入当前干部（档案页或筛选结果）",
        SavePlan => "保存调整方案",
        OpenPlans => "打开已存方案",
        RegionView => "同类班子对比",
        CycleSort => "换一项排序",
        FilterText => "输入文字筛选",
        CycleSeverity => "按等级筛选",
        CycleRule => "按规则筛选",
        CycleReadiness => "按成熟度筛选",
        MarkReviewed => "标记或取消已复核",
        ToggleReviewed => "显示或隐藏已复核",
        SortName => "按姓名排序",
        SortAge => "按年龄排序",
        SortPost => "按现任职务排序",
        SortTarget => "按拟任职务排序",
        SortReadiness => "按成熟度排序",
        SortGaps => "按差距数排序",
        ExportCsv => "导出结果为 CSV",
        ExportXlsx => "导出结果为 Excel（xlsx）",
        SaveFilter => "保存条件（列表中：改名）",
        OpenFilters => "已存条件",
        BuildCondition => "从菜单添加条件",
        ToggleMark => "多选：选中或取消",
        SortNext => "按下一列排序",
        SortPrev => "按上一列排序",
        SortReverse => "升序降序互换",
        NewLine => "条件换行",
        PrintForm => "把干部任免审批表写成可打印的 HTML",
        TeamReport => "把班子结构统计写成 Excel（xlsx）",
        StatsReport => "把全部班子按单位类型的结构统计写成 Excel（xlsx）",
        Insert(_)
        | Paste(_)
        | Resize(..)
        | Tick(_)
        | Results { .. }
        | FilterMatches { .. }
        | Loaded(_)
        | Derived(_)
        | FilterValues(_) => "",
    }
}

// ---- editing forms, history, conflicts, drafts --------------------------------------------
pub const MASKED_NO_EDIT: &str = "会议模式下不能编辑或查看修改历史（按 F2 关闭会议模式）";
pub const FORM_TITLE: &str = "{title}：{name}";
pub const FORM_CHOICE_HINT: &str = "上下键选择，输入文字跳转";
pub const FORM_FLAG_HINT: &str = "空格切换";
pub const FORM_NOT_SAVED: &str = "未保存：请改正标出的 {n} 处";
pub const FORM_SAVED: &str = "已保存（第 {rev} 次修改）";
pub const FORM_CREATED: &str = "已新建档案 #{id}";
pub const FORM_CANCELLED: &str = "已取消，未保存任何修改";
pub const FORM_SAVE_FAILED: &str = "保存失败：{err}";
pub const FORM_NO_POSTING: &str = "没有选中的任职";
pub const FORM_UNREADABLE: &str = "无法读取档案 #{id}：{err}";
pub const CONFLICT_TITLE: &str = "冲突：档案在您打开后已被他人修改（第 {rev} 版），未覆盖";
pub const CONFLICT_HEAD: [&str; 4] = ["字段", "打开时", "他人已保存", "您的修改"];
pub const CONFLICT_HINT: &str = "{save} 在他人版本上保存您的修改  Esc 返回表单";
pub const CONFLICT_NONE: &str = "（两版内容相同）";
pub const PICK_TITLE: &str = "选择要修改的一条：{name}";
pub const PICK_EMPTY: &str = "档案中还没有可修改的条目";
pub const HISTORY_TITLE: &str = "修改历史：{name}（共 {n} 次）";
pub const HISTORY_EMPTY: &str = "尚无修改记录";
pub const HISTORY_HINT: &str = "上下键选择  {undo} 撤销选中的修改  Esc 返回";
pub const HISTORY_UNREADABLE: &str = "无法读取修改历史：{err}";
pub const UNDONE: &str = "已撤销第 {seq} 次修改";
pub const UNDO_FAILED: &str = "不能撤销：{err}";
pub const DRAFT_OFFER: &str =
    "有一份未保存的表单（{title}：{name}，{at}）。Enter 恢复  Delete 丢弃  Esc 暂不处理";
pub const DRAFT_DISCARDED: &str = "草稿已丢弃";
pub const DRAFT_GONE: &str = "草稿对应的档案 #{id} 已不存在，草稿已丢弃";
pub const DRAFT_FAILED: &str = "无法保存草稿：{err}";

#[cfg(test)]
mod tests {
    use super::*;
    use unicode_width::{UnicodeWidthChar, UnicodeWidthStr};

    #[test]
    fn months_read_as_clerks_say_them() {
        assert_eq!(months(38), "3年2个月");
        assert_eq!(months(60), "5年");
        assert_eq!(months(7), "7个月");
        assert_eq!(months(0), "不足1个月");
        assert_eq!(months(-3), "不足1个月");
    }

    #[test]
    fn fill_replaces_placeholders() {
        assert_eq!(fill(FOUND, &[("n", &3)]), "找到 3 人");
    }

    #[test]
    fn no_ambiguous_width_symbols_in_fixed_strings() {
        let all = [
            MASK_BADGE,
            MASKED,
            TL_LEGEND,
            HELP_TITLE,
            QUERY_HINT,
            TL_COL_LABEL,
            LOADING,
        ];
        for s in all.iter().chain(SECTIONS.iter()).chain(SECTION_TABS.iter()) {
            for c in s.chars() {
                assert_eq!(c.width(), c.width_cjk(), "ambiguous width {c:?} in {s}");
            }
            assert!(s.width() > 0);
        }
    }
}
