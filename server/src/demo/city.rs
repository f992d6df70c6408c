//! The demo city: a Harbin-like configuration (哈尔滨市) with the city hall, 9 district halls and 9
//! county-level halls, built deterministically from compact catalogue tables.
//!
//! Every hall gets the departments its level offers; every department gets its catalogue items, one
//! queue and a few windows (some of them 综合窗口 serving neighbouring queues). Each window has one
//! member of staff, each hall a manager, and the city a handful of city-wide accounts.

use std::collections::HashMap;

use domain::config::*;
use domain::ids::*;
use domain::routing::*;

/// The password every demo account signs in with.
pub const DEMO_PASSWORD: &str = "demo-2026";

/// The notable demo accounts: (login, what the account is for).
pub fn demo_logins() -> Vec<(&'static str, &'static str)> {
    vec![
        ("admin", "系统管理员（全市配置、账号与设备管理）"),
        ("leader", "局领导 王局长（全市运行监测与统计分析）"),
        ("h00-manager", "大厅负责人（哈尔滨市政务服务中心）"),
        ("hrb0001", "窗口工作人员（市政务服务中心 1 号窗口，户籍业务）"),
        (
            "hrb0004",
            "窗口工作人员（市政务服务中心 4 号综合窗口，户籍业务 + 出入境业务）",
        ),
        ("operator", "运维人员（节点、设备与系统运行状态）"),
        ("lawyer", "值班律师（公共法律服务咨询）"),
    ]
}

const N: Option<u32> = None;
const ESTATE: Option<u32> = Some(60);
const EXIT: Option<u32> = Some(80);

/// A catalogue item: (name, id card required, daily quota, planned service seconds).
type Item = (&'static str, bool, Option<u32>, u32);

/// A department of the province catalogue.
struct Dept {
    /// Two-digit department code in the catalogue (also the department's number in every hall).
    code: &'static str,
    name: &'static str,
    /// The queue's display name.
    queue: &'static str,
    /// Windows per hall at city, district and county level; 0 = the level does not offer the department.
    windows: [usize; 3],
    items: &'static [Item],
}

#[rustfmt::skip]
const CATALOGUE: &[Dept] = &[
    Dept { code: "01", name: "公安局户政", queue: "户籍业务", windows: [4, 3, 2], items: &[
        ("居民身份证首次申领", true, N, 420), ("居民身份证换领", true, N, 300),
        ("居民身份证补领", true, N, 360), ("临时居民身份证申领", true, N, 300),
        ("出生登记", true, N, 600), ("死亡注销户口登记", true, N, 480),
        ("市内户口迁移", true, N, 600), ("跨省户口迁入", true, N, 900),
        ("投靠落户", true, N, 720), ("人才引进落户", true, N, 660),
        ("高校毕业生落户", true, N, 540), ("户口登记项目变更更正", true, N, 600),
        ("居住证申领", true, N, 420), ("居住证签注", true, N, 240),
        ("户籍证明开具", true, N, 300), ("户政业务咨询", false, N, 180),
    ] },
    Dept { code: "02", name: "公安局出入境管理", queue: "出入境业务", windows: [4, 2, 0], items: &[
        ("普通护照首次申领", true, EXIT, 600), ("普通护照换发", true, EXIT, 480),
        ("普通护照补发", true, EXIT, 600), ("往来港澳通行证首次申领", true, EXIT, 540),
        ("往来港澳通行证签注", true, N, 300), ("往来台湾通行证申领", true, EXIT, 540),
        ("往来台湾通行证签注", true, N, 300), ("出入境通行证申领", true, EXIT, 480),
        ("外国人签证延期", false, N, 900), ("外国人居留许可", false, N, 1200),
        ("外国人临时住宿登记", false, N, 300), ("出入境记录查询", true, N, 240),
        ("出入境证件遗失报失", true, N, 300), ("出入境政策咨询", false, N, 180),
    ] },
    Dept { code: "03", name: "公安交警车辆管理所", queue: "车驾管业务", windows: [3, 2, 1], items: &[
        ("机动车注册登记", true, N, 900), ("机动车转移登记", true, N, 900),
        ("机动车变更登记", true, N, 600), ("机动车抵押登记", true, N, 600),
        ("机动车注销登记", true, N, 480), ("补领机动车行驶证", true, N, 300),
        ("补领机动车号牌", true, N, 360), ("机动车检验合格标志核发", true, N, 240),
        ("机动车驾驶证换证", true, N, 420), ("机动车驾驶证补证", true, N, 420),
        ("驾驶证审验", true, N, 360), ("驾驶人身体条件证明提交", true, N, 240),
        ("境外驾驶证换领国内驾驶证", true, N, 900), ("驾驶人联系方式变更备案", true, N, 180),
        ("交通违法处理", true, N, 420), ("车驾管业务咨询", false, N, 180),
    ] },
    Dept { code: "04", name: "市场监督管理局", queue: "市场主体登记", windows: [4, 2, 1], items: &[
        ("营业执照设立登记", true, N, 1200), ("营业执照变更登记", true, N, 900),
        ("营业执照注销登记", true, N, 900), ("营业执照遗失补领", true, N, 480),
        ("个体工商户登记", true, N, 720), ("个体工商户变更登记", true, N, 540),
        ("个体工商户注销登记", true, N, 480), ("农民专业合作社设立登记", true, N, 1080),
        ("企业名称自主申报", true, N, 420), ("股权出质登记", true, N, 720),
        ("经营异常名录移出申请", true, N, 600), ("食品经营许可", true, N, 1080),
        ("食品经营许可变更", true, N, 720), ("小餐饮登记", true, N, 720),
        ("药品零售企业许可", true, N, 1200), ("第二类医疗器械经营备案", true, N, 900),
        ("特种设备使用登记", true, N, 900), ("市场主体登记咨询", false, N, 240),
    ] },
    Dept { code: "05", name: "人力资源和社会保障局", queue: "人社业务", windows: [4, 2, 1], items: &[
        ("社保卡申领", true, N, 420), ("社保卡补换", true, N, 360),
        ("社保卡挂失", true, N, 180), ("城乡居民养老保险参保登记", true, N, 480),
        ("职工养老保险参保登记", true, N, 540), ("养老保险关系转移接续", true, N, 720),
        ("职工退休养老金申领", true, N, 900), ("灵活就业人员参保登记", true, N, 480),
        ("失业保险金申领", true, N, 600), ("就业创业证申领", true, N, 420),
        ("工伤认定申请", true, N, 900), ("劳动能力鉴定申请", true, N, 720),
        ("劳动人事争议仲裁申请", true, N, 1200), ("社会保险个人权益记录打印", true, N, 180),
        ("养老保险待遇领取资格认证", true, N, 240), ("创业担保贷款申请", true, N, 1080),
        ("职业技能等级证书查询", true, N, 240), ("人社政策咨询", false, N, 240),
    ] },
    Dept { code: "06", name: "医疗保障局", queue: "医保业务", windows: [3, 2, 1], items: &[
        ("医保异地就医备案", true, N, 300), ("城乡居民医保参保登记", true, N, 420),
        ("职工医保参保登记", true, N, 480), ("医保关系转移接续", true, N, 600),
        ("门诊慢特病待遇认定", true, N, 720), ("医疗费用手工报销", true, N, 900),
        ("生育保险待遇申领", true, N, 720), ("医保个人账户家庭共济绑定", true, N, 300),
        ("新生儿参保登记", true, N, 420), ("灵活就业人员医保参保", true, N, 420),
        ("医保缴费凭证打印", true, N, 180), ("长期护理保险待遇申请", true, N, 900),
        ("医保信息变更", true, N, 240), ("定点医药机构申请", true, N, 1080),
        ("医保政策咨询", false, N, 180),
    ] },
    Dept { code: "07", name: "税务局", queue: "税务业务", windows: [4, 2, 1], items: &[
        ("发票领用", true, N, 420), ("发票代开", true, N, 600),
        ("新办纳税人涉税事项综合申请", true, N, 1200), ("增值税申报", true, N, 720),
        ("个人所得税汇算清缴辅导", true, N, 600), ("车辆购置税申报", true, N, 480),
        ("契税申报", true, N, 600), ("二手房交易税费申报", true, N, 900),
        ("房产税申报", true, N, 480), ("城镇土地使用税申报", true, N, 480),
        ("社会保险费缴纳", true, N, 300), ("完税证明开具", true, N, 240),
        ("清税注销", true, N, 900), ("跨区域涉税事项报告", true, N, 420),
        ("税收优惠备案", true, N, 480), ("税务咨询", false, N, 240),
    ] },
    Dept { code: "08", name: "不动产登记中心", queue: "不动产登记", windows: [4, 2, 2], items: &[
        ("不动产转移登记", true, ESTATE, 1200), ("不动产首次登记", true, ESTATE, 1200),
        ("二手房转移登记", true, ESTATE, 1200), ("新建商品房转移登记", true, ESTATE, 1080),
        ("不动产抵押权登记", true, ESTATE, 900), ("抵押权注销登记", true, N, 600),
        ("不动产变更登记", true, N, 720), ("不动产更正登记", true, N, 720),
        ("预告登记", true, N, 600), ("继承不动产登记", true, ESTATE, 1200),
        ("不动产权证书补换证", true, N, 600), ("不动产登记资料查询", true, N, 300),
        ("异议登记", true, N, 720), ("查封登记", false, N, 600),
        ("居住权登记", true, N, 720), ("不动产登记咨询", false, N, 240),
    ] },
    Dept { code: "09", name: "住房公积金管理中心", queue: "公积金业务", windows: [3, 2, 0], items: &[
        ("单位公积金缴存登记", true, N, 900), ("个人公积金账户设立", true, N, 420),
        ("公积金提取（购房）", true, N, 600), ("公积金提取（租房）", true, N, 420),
        ("公积金提取（离退休）", true, N, 480), ("公积金提取（偿还贷款）", true, N, 480),
        ("公积金贷款申请", true, N, 1200), ("公积金贷款提前还款", true, N, 600),
        ("公积金异地转移接续", true, N, 540), ("公积金缴存证明开具", true, N, 240),
        ("公积金贷款使用证明开具", true, N, 240), ("灵活就业人员公积金缴存", true, N, 540),
        ("单位缴存基数调整", true, N, 600), ("公积金政策咨询", false, N, 180),
    ] },
    Dept { code: "10", name: "民政局", queue: "民政业务", windows: [2, 0, 1], items: &[
        ("结婚登记", true, N, 900), ("离婚登记", true, N, 1200),
        ("补领婚姻登记证", true, N, 600), ("婚姻登记档案查询", true, N, 300),
        ("最低生活保障申请", true, N, 900), ("特困人员救助供养申请", true, N, 900),
        ("临时救助申请", true, N, 720), ("残疾人两项补贴申请", true, N, 720),
        ("高龄津贴申请", true, N, 480), ("社会团体成立登记", true, N, 1200),
        ("民办非企业单位登记", true, N, 1200), ("惠民殡葬补贴申领", true, N, 480),
        ("收养登记", true, N, 1200), ("养老机构备案", true, N, 900),
        ("民政政策咨询", false, N, 180),
    ] },
    Dept { code: "11", name: "卫生健康委员会", queue: "卫生健康", windows: [2, 0, 0], items: &[
        ("出生医学证明补发", true, N, 600), ("出生医学证明信息变更", true, N, 600),
        ("医师执业注册", true, N, 900), ("护士执业注册", true, N, 720),
        ("医疗机构设置审批", true, N, 1200), ("医疗机构执业登记", true, N, 1200),
        ("母婴保健技术服务许可", true, N, 1080), ("公共场所卫生许可", true, N, 900),
        ("放射诊疗许可", true, N, 1200), ("计划生育家庭特别扶助申请", true, N, 600),
        ("独生子女父母奖励申领", true, N, 480), ("生育登记", true, N, 300),
        ("消毒产品生产企业卫生许可", true, N, 1080), ("卫生健康政策咨询", false, N, 180),
    ] },
    Dept { code: "12", name: "交通运输局", queue: "交通运输", windows: [2, 0, 0], items: &[
        ("道路运输经营许可", true, N, 1200), ("道路运输证核发", true, N, 600),
        ("道路运输证年审", true, N, 420), ("货运驾驶员从业资格证核发", true, N, 600),
        ("网约车驾驶员证核发", true, N, 600), ("网约车运输证核发", true, N, 600),
        ("出租汽车驾驶员从业资格证", true, N, 600), ("从业资格证换证", true, N, 360),
        ("机动车维修经营备案", true, N, 900), ("驾驶员培训机构备案", true, N, 900),
        ("超限运输车辆行驶公路许可", true, N, 900), ("涉路施工许可", true, N, 1080),
        ("客运班线经营许可", true, N, 1200), ("交通运输政策咨询", false, N, 180),
    ] },
    Dept { code: "13", name: "司法局公共法律服务中心", queue: "公共法律服务", windows: [2, 1, 1], items: &[
        ("法律援助申请", true, N, 900), ("法律援助经济困难证明", true, N, 480),
        ("委托公证", true, N, 900), ("继承公证", true, N, 1200),
        ("学历学位公证", true, N, 600), ("亲属关系公证", true, N, 600),
        ("无犯罪记录公证", true, N, 600), ("婚姻状况公证", true, N, 600),
        ("人民调解申请", true, N, 1200), ("律师执业许可", true, N, 900),
        ("基层法律服务工作者执业核准", true, N, 900), ("司法鉴定机构登记", true, N, 1080),
        ("公共法律咨询", false, N, 600), ("律师值班咨询", false, N, 900),
    ] },
];

/// The halls: (short name, level, address). Index i becomes hall `H{i:02}`.
#[rustfmt::skip]
const HALLS: &[(&str, HallLevel, &str)] = &[
    ("哈尔滨市", HallLevel::City, "哈尔滨市松北区世纪大道1号"),
    ("道里区", HallLevel::District, "哈尔滨市道里区友谊路388号"),
    ("南岗区", HallLevel::District, "哈尔滨市南岗区学府路227号"),
    ("道外区", HallLevel::District, "哈尔滨市道外区承德街301号"),
    ("平房区", HallLevel::District, "哈尔滨市平房区友协大街35号"),
    ("松北区", HallLevel::District, "哈尔滨市松北区创新一路1599号"),
    ("香坊区", HallLevel::District, "哈尔滨市香坊区红旗大街211号"),
    ("呼兰区", HallLevel::District, "哈尔滨市呼兰区学院路168号"),
    ("阿城区", HallLevel::District, "哈尔滨市阿城区延川大街188号"),
    ("双城区", HallLevel::District, "哈尔滨市双城区承恩大街96号"),
    ("依兰县", HallLevel::County, "哈尔滨市依兰县依兰镇西大直路65号"),
    ("方正县", HallLevel::County, "哈尔滨市方正县方正镇中央大街120号"),
    ("宾县", HallLevel::County, "哈尔滨市宾县宾州镇二道街58号"),
    ("巴彦县", HallLevel::County, "哈尔滨市巴彦县巴彦镇迎宾路77号"),
    ("木兰县", HallLevel::County, "哈尔滨市木兰县木兰镇东兴街33号"),
    ("通河县", HallLevel::County, "哈尔滨市通河县通河镇中央街150号"),
    ("延寿县", HallLevel::County, "哈尔滨市延寿县延寿镇迎宾大街42号"),
    ("尚志市", HallLevel::County, "哈尔滨市尚志市尚志镇胜利街206号"),
    ("五常市", HallLevel::County, "哈尔滨市五常市五常镇民意街88号"),
];

/// Items that take appointments, in order of popularity; each hall offers slots for the first five it has.
const POPULAR: &[&str] = &[
    "居民身份证换领",
    "不动产转移登记",
    "普通护照首次申领",
    "营业执照设立登记",
    "公积金提取（购房）",
    "社保卡申领",
    "机动车驾驶证换证",
    "医保异地就医备案",
];

#[rustfmt::skip]
const SURNAMES: &[&str] = &[
    "王", "李", "张", "刘", "陈", "杨", "赵", "黄", "周", "吴", "徐", "孙", "胡", "朱", "高", "林",
    "何", "郭", "马", "罗", "梁", "宋", "郑", "谢", "韩", "唐", "冯", "于", "董", "程", "曹", "袁",
    "邓", "许", "沈", "彭", "吕", "苏", "卢", "蒋", "蔡", "贾", "丁", "魏", "薛", "叶", "闫", "潘",
    "杜", "戴", "夏", "钟", "田", "任", "姜", "范", "方", "石", "姚", "谭", "邹", "金", "郝", "孔",
    "白", "崔", "康", "毛", "秦", "史", "顾", "侯", "邵", "孟", "段", "雷", "尹", "常", "武", "乔",
];

#[rustfmt::skip]
const GIVEN_NAMES: &[&str] = &[
    "伟", "芳", "娜", "秀英", "敏", "静", "丽", "强", "磊", "军", "洋", "勇", "艳", "杰", "娟", "涛",
    "明", "超", "秀兰", "霞", "平", "刚", "桂英", "丹", "玉兰", "萍", "鹏", "辉", "红梅", "建华",
    "海燕", "志强", "晓东", "春雨", "雪梅", "国庆", "淑华", "立新", "振宇", "思远", "雨桐", "子涵",
    "欣怡", "浩然", "宇航", "佳琪", "婷婷", "梦瑶", "博文", "晨阳", "丽娟", "永刚", "凤霞", "长春",
    "冬梅", "金龙", "玉洁", "文博", "嘉欣", "晓雪", "东升", "海波", "春艳", "秀梅", "志刚", "亚楠",
];

/// A deterministic, well-spread name for person number `i` (coprime strides over both tables).
fn person_name(i: usize) -> String {
    let surname = SURNAMES[(i * 37 + 11) % SURNAMES.len()];
    let given = GIVEN_NAMES[(i * 29 + i / GIVEN_NAMES.len() + 5) % GIVEN_NAMES.len()];
    format!("{surname}{given}")
}

fn level_index(level: HallLevel) -> usize {
    match level {
        HallLevel::City => 0,
        HallLevel::District => 1,
        _ => 2,
    }
}

/// The item code in the province catalogue: "2301" + department code + "-" + sequence.
fn item_code(dept: &Dept, seq: usize) -> String {
    format!("2301{}-{:04}", dept.code, seq + 1)
}

fn hall_name(short: &str) -> String {
    format!("{short}政务服务中心")
}

fn staff(id: usize, login: impl Into<String>, name: impl Into<String>, role: Role) -> Staff {
    Staff {
        id: StaffId::new(format!("S{id:04}")),
        login: login.into(),
        name: name.into(),
        roles: vec![role],
        hall_id: None,
        window_ids: Vec::new(),
        card: StaffCard::default(),
    }
}

/// Mottos for the evaluator's staff card (tender 13(1): 部门、工号、姓名、座右铭).
const MOTTOS: [&str; 6] = [
    "用心服务，让群众少跑腿",
    "一次告知，一窗受理，一次办好",
    "您的满意是我最大的心愿",
    "马上就办，办就办好",
    "热情周到，依法高效",
    "把群众的事当成自己的事",
];

/// The demo configuration of 哈尔滨市.
pub fn harbin() -> CityConfig {
    let mut cfg = CityConfig {
        city: City {
            id: CityId::new("HRB"),
            name: "哈尔滨市".to_owned(),
        },
        halls: Vec::new(),
        departments: Vec::new(),
        windows: Vec::new(),
        items: Vec::new(),
        queues: Vec::new(),
        staff: Vec::new(),
        slot_templates: Vec::new(),
    };
    // (hall, window, the next window of the same department) for assigning staff afterwards.
    let mut postings: Vec<(usize, WindowId, Option<WindowId>)> = Vec::new();

    for (h, &(short, level, address)) in HALLS.iter().enumerate() {
        let hall_id = HallId::new(format!("H{h:02}"));
        let prefix_name = if level == HallLevel::City {
            "哈尔滨市".to_owned()
        } else {
            short.to_owned()
        };
        cfg.halls.push(Hall {
            id: hall_id.clone(),
            name: hall_name(short),
            level,
            parent: (level != HallLevel::City).then(|| HallId::new("H00")),
            address: address.to_owned(),
            utc_offset_minutes: 480,
            priority: PriorityRules::default(),
            appointments: AppointmentRules::default(),
            rating_reasons: default_rating_reasons(),
        });

        let lv = level_index(level);
        let depts: Vec<&Dept> = CATALOGUE.iter().filter(|d| d.windows[lv] > 0).collect();
        let queue_ids: Vec<QueueId> = depts
            .iter()
            .map(|d| QueueId::new(format!("{hall_id}-Q{}", d.code)))
            .collect();
        let mut item_by_name: HashMap<&str, ItemId> = HashMap::new();
        let mut item_seq = 0;
        let mut window_no = 0;

        for (di, dept) in depts.iter().enumerate() {
            let dept_id = DepartmentId::new(format!("{hall_id}-D{}", dept.code));
            cfg.departments.push(Department {
                id: dept_id.clone(),
                hall_id: hall_id.clone(),
                name: format!("{prefix_name}{}", dept.name),
            });

            let mut item_ids = Vec::with_capacity(dept.items.len());
            for (seq, &(name, id_card_required, daily_quota, avg_service_secs)) in dept.items.iter().enumerate() {
                item_seq += 1;
                let id = ItemId::new(format!("{hall_id}-I{item_seq:03}"));
                item_by_name.insert(name, id.clone());
                item_ids.push(id.clone());
                cfg.items.push(ServiceItem {
                    id,
                    code: item_code(dept, seq),
                    name: name.to_owned(),
                    department_id: dept_id.clone(),
                    id_card_required,
                    daily_quota,
                    avg_service_secs,
                    guide: super::guides::guide(dept.code, name),
                });
            }

            // Letters follow the catalogue, so the same service has the same letter in every hall.
            let letter = char::from(b'A' + (di_code(dept) - 1));
            let own = queue_ids[di].clone();
            cfg.queues.push(Queue {
                id: own.clone(),
                hall_id: hall_id.clone(),
                prefix: letter.to_string(),
                name: dept.queue.to_owned(),
                item_ids,
            });

            let count = dept.windows[lv];
            let next = queue_ids[(di + 1) % queue_ids.len()].clone();
            let after = queue_ids[(di + 2) % queue_ids.len()].clone();
            let last_dept = di + 1 == depts.len();
            for k in 0..count {
                window_no += 1;
                let id = WindowId::new(format!("{hall_id}-W{window_no:02}"));
                let profile = if count >= 3 && k + 1 == count {
                    // 综合窗口: mostly its own queue, one in four from the next department.
                    let mut p = WorkProfile::new(
                        vec![own.clone(), next.clone()],
                        Strategy::Weighted { weights: vec![3, 1] },
                    );
                    p.max_wait_minutes = Some(45);
                    p
                } else if (count == 1 && di % 3 == 2) || (last_dept && k + 1 == count) {
                    // 综合窗口 in a small hall, or the hall's last window: whoever has waited longest.
                    let mut p =
                        WorkProfile::new(vec![own.clone(), next.clone(), after.clone()], Strategy::LongestWaiting);
                    p.max_wait_minutes = Some(45);
                    p
                } else {
                    WorkProfile::new(vec![own.clone()], Strategy::StrictOrder)
                };
                let relief = (k + 1 < count).then(|| WindowId::new(format!("{hall_id}-W{:02}", window_no + 1)));
                postings.push((h, id.clone(), relief));
                cfg.windows.push(Window {
                    id,
                    hall_id: hall_id.clone(),
                    number: window_no.to_string(),
                    department_id: Some(dept_id.clone()),
                    profile,
                });
            }
        }

        let last_day = if level == HallLevel::City { 6 } else { 5 };
        let weekdays: Vec<u8> = (1..=last_day).collect();
        let popular = POPULAR.iter().filter_map(|name| item_by_name.get(name)).take(5);
        for (j, item_id) in popular.enumerate() {
            let capacity = 3 + ((h + j) % 4) as u32;
            cfg.slot_templates.push(SlotTemplate {
                hall_id: hall_id.clone(),
                item_id: item_id.clone(),
                weekdays: weekdays.clone(),
                first_start: 540,
                slot_minutes: 30,
                slots: 14,
                capacity,
            });
        }
    }

    // Window staff first, so that S0001 is hrb0001, S0002 is hrb0002, …
    for (n, (h, window, relief)) in postings.into_iter().enumerate() {
        let no = n + 1;
        let mut s = staff(no, format!("hrb{no:04}"), person_name(no), Role::WindowStaff);
        s.hall_id = Some(HallId::new(format!("H{h:02}")));
        let department = cfg
            .windows
            .iter()
            .find(|w| w.id == window)
            .and_then(|w| w.department_id.as_ref())
            .and_then(|d| cfg.departments.iter().find(|x| &x.id == d))
            .map(|d| d.name.clone());
        s.card = StaffCard {
            department,
            staff_number: Some(format!("HRB{no:05}")),
            motto: Some(MOTTOS[n % MOTTOS.len()].to_owned()),
            photo: None,
        };
        s.window_ids = std::iter::once(window).chain(relief).collect();
        cfg.staff.push(s);
    }
    for h in 0..HALLS.len() {
        let no = cfg.staff.len() + 1;
        let hall_id = HallId::new(format!("H{h:02}"));
        let mut s = staff(no, format!("h{h:02}-manager"), person_name(no + 500), Role::HallManager);
        s.window_ids = cfg
            .windows
            .iter()
            .filter(|w| w.hall_id == hall_id)
            .map(|w| w.id.clone())
            .collect();
        s.hall_id = Some(hall_id);
        cfg.staff.push(s);
    }
    for (login, name, role) in [
        ("admin", "系统管理员", Role::Admin),
        ("leader", "王局长", Role::Leader),
        ("operator", "张工", Role::Operator),
        ("lawyer", "陈律师", Role::Lawyer),
    ] {
        let no = cfg.staff.len() + 1;
        cfg.staff.push(staff(no, login, name, role));
    }
    cfg
}

/// The department's number in the catalogue (1-based), from its two-digit code.
fn di_code(dept: &Dept) -> u8 {
    dept.code.parse().unwrap_or(1)
}

#[cfg(test)]
mod tests {
    use std::collections::HashSet;

    use super::*;

    #[test]
    fn config_validates() {
        match Config::new(harbin()) {
            Ok(_) => {}
            Err(e) => panic!("demo config invalid: {e}"),
        }
    }

    #[test]
    fn shape_of_the_city() {
        let cfg = harbin();
        assert_eq!(cfg.halls.len(), 19);
        assert_eq!(cfg.halls.iter().filter(|h| h.level == HallLevel::District).count(), 9);
        assert_eq!(cfg.halls.iter().filter(|h| h.level == HallLevel::County).count(), 9);
        for hall in &cfg.halls {
            let depts = cfg.departments.iter().filter(|d| d.hall_id == hall.id).count();
            assert!((8..=13).contains(&depts), "{} has {depts} departments", hall.name);
            let windows = cfg.windows.iter().filter(|w| w.hall_id == hall.id).count();
            let range = match hall.level {
                HallLevel::City => 35..=45,
                HallLevel::District => 15..=25,
                _ => 8..=12,
            };
            assert!(range.contains(&windows), "{} has {windows} windows", hall.name);
        }
        let names: HashSet<&str> = CATALOGUE.iter().flat_map(|d| d.items.iter().map(|i| i.0)).collect();
        let codes: HashSet<String> = CATALOGUE
            .iter()
            .flat_map(|d| (0..d.items.len()).map(move |s| item_code(d, s)))
            .collect();
        assert!(names.len() >= 190, "only {} distinct catalogue names", names.len());
        assert_eq!(codes.len(), names.len());
        let in_config: HashSet<&str> = cfg.items.iter().map(|i| i.name.as_str()).collect();
        assert_eq!(
            in_config.len(),
            names.len(),
            "every catalogue item is offered somewhere"
        );
    }

    #[test]
    fn named_logins_exist() {
        let cfg = harbin();
        let logins: HashSet<&str> = cfg.staff.iter().map(|s| s.login.as_str()).collect();
        assert_eq!(logins.len(), cfg.staff.len(), "logins are unique");
        for (login, _) in demo_logins() {
            assert!(logins.contains(login), "missing demo login {login}");
        }
        let find = |login: &str| cfg.staff.iter().find(|s| s.login == login);
        let first = find("hrb0001").map(|s| s.window_ids.first().cloned());
        assert_eq!(first, Some(Some(WindowId::new("H00-W01"))));
        let manager = find("h00-manager").map(|s| (s.roles.clone(), s.hall_id.clone()));
        assert_eq!(manager, Some((vec![Role::HallManager], Some(HallId::new("H00")))));
        let combined = find("hrb0004")
            .and_then(|s| s.window_ids.first())
            .and_then(|w| cfg.windows.iter().find(|x| &x.id == w));
        assert!(combined.is_some_and(|w| w.number == "4" && w.profile.queues.len() == 2));
        for (login, role) in [
            ("admin", Role::Admin),
            ("leader", Role::Leader),
            ("operator", Role::Operator),
            ("lawyer", Role::Lawyer),
        ] {
            assert!(
                find(login).is_some_and(|s| s.roles == vec![role] && s.hall_id.is_none()),
                "{login}"
            );
        }
    }

    #[test]
    fn every_window_is_staffed() {
        let cfg = harbin();
        for w in &cfg.windows {
            let staffed = cfg.staff.iter().any(|s| {
                s.roles.contains(&Role::WindowStaff)
                    && s.hall_id.as_ref() == Some(&w.hall_id)
                    && s.window_ids.contains(&w.id)
            });
            assert!(staffed, "window {} has no staff", w.id);
        }
    }

    #[test]
    fn slot_templates_are_sane() {
        let cfg = harbin();
        for hall in &cfg.halls {
            let n = cfg.slot_templates.iter().filter(|t| t.hall_id == hall.id).count();
            assert_eq!(n, 5, "{}", hall.name);
        }
        assert!(cfg.slot_templates.iter().all(|t| (3..=6).contains(&t.capacity)));
        assert!(
            cfg.slot_templates
                .iter()
                .any(|t| t.hall_id.as_str() == "H00" && t.weekdays.contains(&6))
        );
    }
}
