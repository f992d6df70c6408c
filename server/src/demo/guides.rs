//! Service guides (办事指南) of the demo catalogue: the common items have their own (materials, fee,
//! promised time limit, conditions, basis as a Harbin-like city publishes them); every other item gets
//! its department's general guide, so a kiosk has something true-to-life to show and print for each.

use domain::guide::{Material, ServiceGuide};

/// (name, copies, original shown?, note)
type M = (&'static str, u32, bool, Option<&'static str>);

const ID: M = ("居民身份证", 1, true, Some("本人有效期内居民身份证原件"));
const ID_COPY: M = ("居民身份证", 1, false, Some("复印件，正反面复印在同一页"));
const HUKOU: M = ("居民户口簿", 1, true, None);
const PHOTO: M = ("近期免冠彩色照片", 1, true, Some("也可在窗口现场采集照片回执"));
const FORM: M = ("申请表", 1, true, Some("窗口或自助终端领取，也可在“黑龙江全省事”下载"));
const LICENCE: M = ("营业执照", 1, false, Some("加盖公章"));
const DEED: M = ("不动产权证书", 1, true, None);
const CONTRACT: M = ("买卖合同", 1, true, Some("网签备案合同"));
const POWER: M = ("授权委托书", 1, true, Some("委托他人办理时提供，附受托人身份证件"));

/// (item name, materials, fee, time limit, conditions, basis)
type Specific = (
    &'static str,
    &'static [M],
    &'static str,
    &'static str,
    Option<&'static str>,
    Option<&'static str>,
);

#[rustfmt::skip]
const SPECIFIC: &[Specific] = &[
    ("居民身份证首次申领", &[HUKOU, PHOTO, ("监护人居民身份证", 1, true, Some("未满十六周岁由监护人陪同"))],
        "免费", "20 个工作日", Some("本市常住户口、年满十六周岁首次申领或未满十六周岁自愿申领"),
        Some("《中华人民共和国居民身份证法》第八条、第二十条")),
    ("居民身份证换领", &[ID, HUKOU, PHOTO], "20 元", "20 个工作日（可办理邮寄）",
        Some("有效期满、证件损坏或登记项目变更"), Some("《中华人民共和国居民身份证法》第十一条、第二十条")),
    ("居民身份证补领", &[HUKOU, PHOTO], "40 元", "20 个工作日",
        Some("居民身份证丢失，可同时申领临时居民身份证"), Some("《中华人民共和国居民身份证法》第十一条、第二十条")),
    ("出生登记", &[("出生医学证明", 1, true, None), ("父母双方居民身份证", 1, true, None), HUKOU,
        ("结婚证", 1, true, Some("非婚生育的提供相关说明"))], "免费", "即办",
        Some("婴儿出生后一个月内申报"), Some("《中华人民共和国户口登记条例》第七条")),
    ("普通护照首次申领", &[ID, ("出入境证件照片回执", 1, true, Some("可在受理点现场采集"))], "120 元",
        "7 个工作日", Some("中国公民因私出国"), Some("《中华人民共和国护照法》第五条、第六条")),
    ("营业执照设立登记", &[FORM, ("公司章程", 1, true, None), ("股东主体资格证明", 1, false, None),
        ("住所使用证明", 1, false, None), ID], "免费", "1 个工作日",
        Some("名称已自主申报，住所符合登记要求"), Some("《中华人民共和国市场主体登记管理条例》第十六条")),
    ("个体工商户登记", &[FORM, ID, ("经营场所使用证明", 1, false, None)], "免费", "即办",
        None, Some("《促进个体工商户发展条例》、《中华人民共和国市场主体登记管理条例》")),
    ("社保卡申领", &[ID, PHOTO], "免费", "即办（即时制卡网点）", Some("已参加本市社会保险"),
        Some("《中华人民共和国社会保险法》、《社会保障卡管理办法》")),
    ("职工退休养老金申领", &[ID, ("社保卡", 1, true, None), ("人事档案", 1, true, Some("由存档单位转递")),
        ("退休审批表", 2, true, None)], "免费", "15 个工作日",
        Some("达到法定退休年龄且累计缴费满十五年"), Some("《中华人民共和国社会保险法》第十六条")),
    ("医保异地就医备案", &[ID, ("异地居住证明或个人承诺书", 1, true, None)], "免费", "即办",
        Some("长期异地居住、常驻异地工作或异地转诊"), Some("《关于进一步做好基本医疗保险跨省异地就医直接结算工作的通知》")),
    ("发票代开", &[ID, ("合同或协议", 1, false, None), ("收款证明", 1, false, None)], "免费（按规定缴纳税款）",
        "即办", None, Some("《中华人民共和国发票管理办法》第十六条")),
    ("不动产转移登记", &[ID, DEED, CONTRACT, ("完税凭证", 1, true, None), POWER], "每件 80 元（住宅）",
        "5 个工作日", Some("买卖、互换、赠与等导致权属转移"), Some("《不动产登记暂行条例》第十四条、《不动产登记暂行条例实施细则》")),
    ("二手房转移登记", &[ID, DEED, CONTRACT, ("完税凭证", 1, true, None), ("婚姻状况证明", 1, true, None)],
        "每件 80 元（住宅）", "3 个工作日", None, Some("《不动产登记暂行条例》第十四条")),
    ("不动产抵押权登记", &[ID, DEED, ("主债权合同", 1, true, None), ("抵押合同", 1, true, None)],
        "每件 80 元", "3 个工作日", None, Some("《中华人民共和国民法典》第三百九十五条、《不动产登记暂行条例》")),
    ("公积金提取（购房）", &[ID, CONTRACT, ("购房发票", 1, true, None), ("本人银行卡", 1, true, None)],
        "免费", "即办", Some("购买自住住房，一年内可提取一次"), Some("《住房公积金管理条例》第二十四条")),
    ("公积金贷款申请", &[ID, HUKOU, ("婚姻状况证明", 1, true, None), CONTRACT, ("收入证明", 1, true, None)],
        "免费", "10 个工作日", Some("连续足额缴存 6 个月以上"), Some("《住房公积金管理条例》第二十六条")),
    ("结婚登记", &[ID, HUKOU, ("本人无配偶及与对方无直系血亲和三代以内旁系血亲关系的签字声明", 1, true, None),
        ("2 寸近期半身免冠合影照片", 3, true, None)], "免费", "即办",
        Some("男年满二十二周岁、女年满二十周岁，双方自愿"), Some("《中华人民共和国民法典》第一千零四十九条、《婚姻登记条例》")),
    ("法律援助申请", &[ID, FORM, ("经济困难状况说明表", 1, true, None), ("与所申请事项相关的材料", 1, false, None)],
        "免费", "7 个工作日内作出决定", Some("经济困难或符合免予审查经济状况情形"),
        Some("《中华人民共和国法律援助法》第四十一条")),
];

/// A department's general guide: (department code, materials, fee, time limit, basis).
type General = (&'static str, &'static [M], &'static str, &'static str, &'static str);

#[rustfmt::skip]
const GENERAL: &[General] = &[
    ("01", &[ID, HUKOU], "免费", "即办", "《中华人民共和国户口登记条例》"),
    ("02", &[ID, ("出入境证件照片回执", 1, true, None)], "按国家规定标准收费", "7 个工作日", "《中华人民共和国出境入境管理法》"),
    ("03", &[ID, ("机动车行驶证或驾驶证", 1, true, None)], "按国家规定标准收费", "即办", "《机动车登记规定》、《机动车驾驶证申领和使用规定》"),
    ("04", &[FORM, ID, LICENCE], "免费", "1 个工作日", "《中华人民共和国市场主体登记管理条例》"),
    ("05", &[ID, ("社保卡", 1, true, None)], "免费", "5 个工作日", "《中华人民共和国社会保险法》"),
    ("06", &[ID, ("医保电子凭证或社保卡", 1, true, None)], "免费", "即办", "《医疗保障基金使用监督管理条例》"),
    ("07", &[ID, ("税务登记相关资料", 1, false, None)], "免费", "即办", "《中华人民共和国税收征收管理法》"),
    ("08", &[ID, DEED, POWER], "按国家规定标准收费", "5 个工作日", "《不动产登记暂行条例》"),
    ("09", &[ID, ("本人银行卡", 1, true, None)], "免费", "即办", "《住房公积金管理条例》"),
    ("10", &[ID, HUKOU, FORM], "免费", "20 个工作日", "《社会救助暂行办法》、《婚姻登记条例》"),
    ("11", &[FORM, ID, LICENCE], "免费", "20 个工作日", "《中华人民共和国基本医疗卫生与健康促进法》"),
    ("12", &[FORM, ID, LICENCE], "免费", "15 个工作日", "《中华人民共和国道路运输条例》"),
    ("13", &[ID, FORM], "免费", "7 个工作日", "《中华人民共和国法律援助法》、《中华人民共和国公证法》"),
];

fn materials(m: &[M]) -> Vec<Material> {
    m.iter()
        .map(|&(name, copies, original, note)| Material {
            name: name.to_owned(),
            copies,
            original,
            note: note.map(str::to_owned),
        })
        .collect()
}

/// The guide of an item of department `dept_code` (`"01"` …): its own if the catalogue has one, else
/// the department's general guide; a consultation item (…咨询) needs nothing but a question.
pub fn guide(dept_code: &str, item: &str) -> Option<ServiceGuide> {
    if let Some(&(_, m, fee, limit, conditions, basis)) = SPECIFIC.iter().find(|s| s.0 == item) {
        return Some(ServiceGuide {
            materials: materials(m),
            fee: fee.to_owned(),
            time_limit: limit.to_owned(),
            conditions: conditions.map(str::to_owned),
            basis: basis.map(str::to_owned),
        });
    }
    if item.ends_with("咨询") {
        return Some(ServiceGuide {
            materials: Vec::new(),
            fee: "免费".to_owned(),
            time_limit: "即办".to_owned(),
            conditions: Some("无需预约，携带相关材料可现场咨询".to_owned()),
            basis: None,
        });
    }
    let &(_, m, fee, limit, basis) = GENERAL.iter().find(|g| g.0 == dept_code)?;
    let mut materials = materials(m);
    if item.contains("委托") || item.contains("登记") {
        materials.extend(self::materials(&[POWER]));
    }
    if dept_code == "04" {
        materials.extend(self::materials(&[ID_COPY]));
    }
    Some(ServiceGuide {
        materials,
        fee: fee.to_owned(),
        time_limit: limit.to_owned(),
        conditions: None,
        basis: Some(basis.to_owned()),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_department_has_a_general_guide_and_all_are_valid() {
        for (code, ..) in GENERAL {
            let g = guide(code, "某事项").expect("general guide");
            assert_eq!(g.validate("g"), Ok(()));
        }
        for s in SPECIFIC {
            let g = guide("01", s.0).expect("own guide");
            assert_eq!(g.validate(s.0), Ok(()));
        }
        assert!(guide("01", "户政业务咨询").is_some_and(|g| g.materials.is_empty()));
    }
}
