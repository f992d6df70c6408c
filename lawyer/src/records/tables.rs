//! The rows of 表 B.1–B.5 and the records they describe. Rows that disagree with their own field are listed in
//! the parent module's notes and marked "(table: …)" here.

use serde::{Deserialize, Serialize};

use super::{FieldError, FieldSpec, Format, Need, check_all, into_result};

const fn spec(
    code: u32,
    field: &'static str,
    name_zh: &'static str,
    need: Need,
    format: Format,
    max: usize,
) -> FieldSpec {
    FieldSpec {
        code,
        field,
        name_zh,
        need,
        format,
        max_chars: if max == 0 { None } else { Some(max) },
    }
}

use Format::*;
use Need::*;

/// 表 B.1 用户数据属性.
pub const USER_FIELDS: [FieldSpec; 7] = [
    spec(20101, "name", "姓名", Required, Text, 64),
    spec(20102, "username", "用户名", Required, Text, 64),
    spec(20103, "phone", "手机号", Required, Mobile, 20),
    spec(20104, "email", "电子邮箱", IfAvailable, Email, 64),
    spec(20105, "native_place", "籍贯", Required, Text, 64),
    spec(20106, "address", "详细地址", Required, Text, 256),
    spec(20107, "source", "用户来源", Required, Text, 32),
];

/// 表 B.2 律师基本信息.
pub const LAWYER_FIELDS: [FieldSpec; 13] = [
    spec(20201, "name", "姓名", Required, Text, 32),
    spec(20202, "phone", "电话", Required, Mobile, 20),
    // (table: 数值型) a nickname is text.
    spec(20203, "nickname", "昵称", Required, Text, 32),
    spec(20204, "email", "电子邮箱", IfAvailable, Email, 64),
    // (table: defined as 省市（地区编码）) an account name.
    spec(20205, "alipay_account", "支付宝账号", Required, Text, 32),
    spec(20206, "law_firm", "律所", Required, Text, 128),
    spec(20207, "region", "地区", Required, Text, 128),
    // (table: 逻辑型) lists of names; no length given.
    spec(20208, "frequent_courts", "常去法院", Required, Text, 0),
    spec(20209, "specialties", "擅长领域", Required, Text, 0),
    spec(20210, "bio", "个人简介", Optional, Text, 512),
    spec(20211, "certified_field", "认证领域", Required, Text, 32),
    spec(20212, "success_cases", "成功案例", Optional, Text, 512),
    spec(20213, "registered_on", "注册时间", Required, Date, 0),
];

/// 表 B.3 律师执业认证资料.
pub const CERTIFICATION_FIELDS: [FieldSpec; 7] = [
    spec(20301, "sex", "性别", Required, Sex, 8),
    spec(20302, "birth_date", "出生日期", Required, Date, 20),
    // (table: 数值型) may end in X.
    spec(20303, "id_number", "身份证号", Required, IdNumber, 32),
    spec(20304, "id_card_images", "身份证正反面图片", Required, Text, 0),
    spec(20305, "licence_number", "执业证号", Required, Digits, 64),
    spec(20306, "licensed_on", "获证日期", Required, Date, 16),
    spec(20307, "licence_photo", "手持执业证照片", Required, Text, 0),
];

/// 表 B.4 其他基础信息.
pub const OTHER_FIELDS: [FieldSpec; 3] = [
    // (table: defined as 0 男 1 女)
    spec(20401, "showcase_case_name", "精品案例名称", Required, Text, 128),
    // (table: defined as 格式“2021-11-20”)
    spec(20402, "description", "描述", Required, Text, 512),
    spec(20403, "service_experience", "服务经历", Required, Text, 512),
];

/// 表 B.5 服务工单数据.
pub const ORDER_FIELDS: [FieldSpec; 15] = [
    // (table: defined as 0 男 1 女)
    spec(20501, "title", "订单标题", Required, Text, 128),
    // (table: 日期型 "2021-11-20") an instant; a time is accepted.
    spec(20502, "ordered_at", "下单时间", Required, DateTime, 0),
    spec(20503, "question_type", "问题类型", Required, Text, 128),
    spec(20504, "question", "问题描述", IfAvailable, Text, 512),
    spec(20505, "status", "状态", Required, Text, 512),
    spec(20506, "price", "价格", Required, Amount, 32),
    spec(20507, "contact_name", "联系人", Required, Text, 32),
    spec(20508, "contact_phone", "联系电话", Required, Digits, 32),
    spec(20509, "secure_number", "安全号码", IfAvailable, Digits, 32),
    spec(20510, "assigned_lawyer", "分配律师", IfAvailable, Text, 16),
    spec(20511, "service_period", "服务周期", Required, Text, 16),
    spec(20512, "paid_at", "支付时间", IfAvailable, DateTime, 0),
    spec(20513, "contact_email", "联系邮箱", Required, Email, 32),
    spec(20514, "remark", "订单备注", IfAvailable, Text, 128),
    spec(20515, "source", "订单来源", Required, Text, 32),
];

/// 表 B.1.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(default)]
pub struct UserRecord {
    pub name: String,
    pub username: String,
    pub phone: String,
    pub email: Option<String>,
    /// 籍贯: province/city or its region code.
    pub native_place: String,
    pub address: String,
    pub source: String,
}

impl UserRecord {
    pub fn validate(&self) -> Result<(), Vec<FieldError>> {
        let f = &USER_FIELDS;
        into_result(check_all(&[
            (&f[0], Some(&self.name)),
            (&f[1], Some(&self.username)),
            (&f[2], Some(&self.phone)),
            (&f[3], self.email.as_deref()),
            (&f[4], Some(&self.native_place)),
            (&f[5], Some(&self.address)),
            (&f[6], Some(&self.source)),
        ]))
    }
}

/// 表 B.2.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(default)]
pub struct LawyerRecord {
    pub name: String,
    pub phone: String,
    pub nickname: String,
    pub email: Option<String>,
    pub alipay_account: String,
    pub law_firm: String,
    pub region: String,
    pub frequent_courts: Vec<String>,
    pub specialties: Vec<String>,
    pub bio: Option<String>,
    pub certified_field: String,
    pub success_cases: Option<String>,
    /// "2021-11-20".
    pub registered_on: String,
}

impl LawyerRecord {
    pub fn validate(&self) -> Result<(), Vec<FieldError>> {
        let f = &LAWYER_FIELDS;
        let mut errors = check_all(&[
            (&f[0], Some(&self.name)),
            (&f[1], Some(&self.phone)),
            (&f[2], Some(&self.nickname)),
            (&f[3], self.email.as_deref()),
            (&f[4], Some(&self.alipay_account)),
            (&f[5], Some(&self.law_firm)),
            (&f[6], Some(&self.region)),
        ]);
        errors.extend(f[7].check_list(&self.frequent_courts));
        errors.extend(f[8].check_list(&self.specialties));
        errors.extend(check_all(&[
            (&f[9], self.bio.as_deref()),
            (&f[10], Some(&self.certified_field)),
            (&f[11], self.success_cases.as_deref()),
            (&f[12], Some(&self.registered_on)),
        ]));
        into_result(errors)
    }
}

/// 表 B.3.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(default)]
pub struct CertificationRecord {
    /// "0" 男, "1" 女.
    pub sex: String,
    pub birth_date: String,
    pub id_number: String,
    /// Where the scans of both sides are stored.
    pub id_card_images: String,
    pub licence_number: String,
    pub licensed_on: String,
    pub licence_photo: String,
}

impl CertificationRecord {
    pub fn validate(&self) -> Result<(), Vec<FieldError>> {
        let f = &CERTIFICATION_FIELDS;
        into_result(check_all(&[
            (&f[0], Some(&self.sex)),
            (&f[1], Some(&self.birth_date)),
            (&f[2], Some(&self.id_number)),
            (&f[3], Some(&self.id_card_images)),
            (&f[4], Some(&self.licence_number)),
            (&f[5], Some(&self.licensed_on)),
            (&f[6], Some(&self.licence_photo)),
        ]))
    }
}

/// 表 B.4.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(default)]
pub struct OtherInfoRecord {
    pub showcase_case_name: String,
    pub description: String,
    pub service_experience: String,
}

impl OtherInfoRecord {
    pub fn validate(&self) -> Result<(), Vec<FieldError>> {
        let f = &OTHER_FIELDS;
        into_result(check_all(&[
            (&f[0], Some(&self.showcase_case_name)),
            (&f[1], Some(&self.description)),
            (&f[2], Some(&self.service_experience)),
        ]))
    }
}

/// 表 B.5.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(default)]
pub struct ServiceOrderRecord {
    pub title: String,
    pub ordered_at: String,
    pub question_type: String,
    pub question: Option<String>,
    pub status: String,
    pub price: String,
    pub contact_name: String,
    pub contact_phone: String,
    pub secure_number: Option<String>,
    pub assigned_lawyer: Option<String>,
    pub service_period: String,
    pub paid_at: Option<String>,
    pub contact_email: String,
    pub remark: Option<String>,
    pub source: String,
}

impl ServiceOrderRecord {
    pub fn validate(&self) -> Result<(), Vec<FieldError>> {
        let f = &ORDER_FIELDS;
        into_result(check_all(&[
            (&f[0], Some(&self.title)),
            (&f[1], Some(&self.ordered_at)),
            (&f[2], Some(&self.question_type)),
            (&f[3], self.question.as_deref()),
            (&f[4], Some(&self.status)),
            (&f[5], Some(&self.price)),
            (&f[6], Some(&self.contact_name)),
            (&f[7], Some(&self.contact_phone)),
            (&f[8], self.secure_number.as_deref()),
            (&f[9], self.assigned_lawyer.as_deref()),
            (&f[10], Some(&self.service_period)),
            (&f[11], self.paid_at.as_deref()),
            (&f[12], Some(&self.contact_email)),
            (&f[13], self.remark.as_deref()),
            (&f[14], Some(&self.source)),
        ]))
    }
}

#[cfg(test)]
mod tests {
    use super::super::FieldProblem;
    use super::*;

    fn codes(r: Result<(), Vec<FieldError>>) -> Vec<(u32, FieldProblem)> {
        r.err()
            .unwrap_or_default()
            .into_iter()
            .map(|e| (e.code, e.problem))
            .collect()
    }

    #[test]
    fn codes_are_in_table_order() {
        for table in [
            &USER_FIELDS[..],
            &LAWYER_FIELDS,
            &CERTIFICATION_FIELDS,
            &OTHER_FIELDS,
            &ORDER_FIELDS,
        ] {
            assert!(table.windows(2).all(|w| w[1].code == w[0].code + 1));
        }
    }

    #[test]
    fn user_record_b_1() {
        let ok = UserRecord {
            name: "张三".into(),
            username: "zhangsan".into(),
            phone: "13800138000".into(),
            email: None,
            native_place: "230100".into(),
            address: "哈尔滨市南岗区某街 1 号".into(),
            source: "自助终端".into(),
        };
        assert_eq!(ok.validate(), Ok(()));
        let bad = UserRecord {
            name: "张".repeat(65),
            phone: "0451-1234".into(),
            email: Some("not-an-email".into()),
            address: String::new(),
            ..ok
        };
        let expect_format = |code| {
            (
                code,
                FieldProblem::Format {
                    expected: USER_FIELDS[(code - 20101) as usize].format.expected_zh(),
                },
            )
        };
        assert_eq!(
            codes(bad.validate()),
            vec![
                (20101, FieldProblem::TooLong { max: 64, actual: 65 }),
                expect_format(20103),
                expect_format(20104),
                (20106, FieldProblem::Required),
            ]
        );
    }

    #[test]
    fn lawyer_and_certification_b_2_b_3() {
        let lawyer = LawyerRecord {
            name: "李律师".into(),
            phone: "13900139000".into(),
            nickname: "法律小助手".into(),
            alipay_account: "li@example.cn".into(),
            law_firm: "某某律师事务所".into(),
            region: "黑龙江省哈尔滨市".into(),
            frequent_courts: vec!["南岗区人民法院".into()],
            specialties: vec!["劳动争议".into(), "婚姻家庭".into()],
            certified_field: "劳动争议".into(),
            registered_on: "2021-11-20".into(),
            ..Default::default()
        };
        assert_eq!(lawyer.validate(), Ok(()));
        let bad = LawyerRecord {
            specialties: vec![" ".into()],
            registered_on: "2021/11/20".into(),
            ..lawyer
        };
        let problems = codes(bad.validate());
        assert_eq!(problems.iter().map(|p| p.0).collect::<Vec<_>>(), [20209, 20213]);
        assert_eq!(problems[0].1, FieldProblem::Required);

        let cert = CertificationRecord {
            sex: "1".into(),
            birth_date: "1949-12-31".into(),
            id_number: "11010519491231002X".into(),
            id_card_images: "files/id/front.jpg;files/id/back.jpg".into(),
            licence_number: "12301201010123456".into(),
            licensed_on: "2010-07-01".into(),
            licence_photo: "files/licence.jpg".into(),
        };
        assert_eq!(cert.validate(), Ok(()));
        let bad = CertificationRecord {
            sex: "女".into(),
            id_number: "110105194912310021".into(),
            ..cert
        };
        assert_eq!(
            codes(bad.validate()).iter().map(|p| p.0).collect::<Vec<_>>(),
            [20301, 20303]
        );
        assert_eq!(OtherInfoRecord::default().validate().map_err(|e| e.len()), Err(3));
    }

    #[test]
    fn service_order_b_5() {
        let order = ServiceOrderRecord {
            title: "劳动合同纠纷咨询".into(),
            ordered_at: "2025-03-03 10:15".into(),
            question_type: "劳动争议".into(),
            status: "已完成".into(),
            price: "0".into(),
            contact_name: "王五".into(),
            contact_phone: "13700137000".into(),
            service_period: "120分钟".into(),
            contact_email: "w5@example.cn".into(),
            source: "自助终端".into(),
            ..Default::default()
        };
        assert_eq!(order.validate(), Ok(()));
        let bad = ServiceOrderRecord {
            price: "12.345".into(),
            assigned_lawyer: Some("一二三四五六七八九十一二三四五六七".into()),
            paid_at: Some("yesterday".into()),
            ..order
        };
        assert_eq!(
            codes(bad.validate()).iter().map(|p| p.0).collect::<Vec<_>>(),
            [20506, 20510, 20512]
        );
        let json = serde_json::to_string(&bad).expect("serialise");
        assert!(json.contains("\"assigned_lawyer\""));
    }
}
