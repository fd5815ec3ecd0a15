#include "libs/keywords/lexicon.h"

#include <span>
#include <string_view>

namespace fbl::keywords::internal {

namespace {

// Hand-picked from the word pairs and triples that ICU 72 splits most often
// in the real reviews of /work/shared/data (waimai_10k, online_shopping_10_cats,
// ChnSentiCorp_htl_all): for every candidate (adjacent single-character
// tokens, and 2+1 / 1+2 splits) counted by documents, a person kept the real
// words and left out fragments such as 买的 or 的人. Grouped by domain;
// 闪退 and 卡顿 are split by ICU too (闪 退, 卡 顿).
constexpr std::string_view kDomainWords[] = {
    // Food delivery.
    "送餐", "送餐员", "外卖", "外送", "订餐", "点餐", "取餐", "下单", "催单", "送达", "送错", "少送", "补送",
    "超时", "菜品", "菜量", "饭量", "量少", "餐盒", "卷饼", "煎饼", "披萨", "拌饭", "石锅拌饭", "盖饭", "米线",
    "凉皮", "鸡丁", "宫保鸡丁", "鱼香", "京酱", "肉夹馍", "锅包肉", "烤肠", "芝士", "尖椒", "豆角", "油腻", "难吃",
    "饿了么",
    // Shopping, service.
    "差评", "好评", "客服", "售后", "卖家", "京东", "自营", "当当", "商城", "网购", "退货", "换货", "发货", "到货",
    "收货", "发错", "赠品", "正品", "假货", "国货", "地摊", "地摊货", "价位", "性价比", "物美价廉", "物有所值",
    "顺丰", "快递员", "身份证", "消费者", "实体店", "坑爹", "靠谱", "给力", "无语",
    // Phones, tablets, computers.
    "华为", "华硕", "惠普", "诺基亚", "安卓", "微信", "微博", "小灵通", "像素", "待机", "死机", "黑屏", "蓝屏",
    "重启", "闪退", "卡顿", "贴膜", "钢化膜", "机身", "机型", "触屏", "画质", "拖影", "来电", "听筒", "后盖", "原装",
    "标配", "内置", "预装", "自带", "显卡", "声卡", "网卡", "光驱", "分区", "独显", "双核", "主板", "风扇", "鼠标",
    "芯片", "坏点", "烤漆", "读卡器", "音箱", "够用", "质感", "材质", "计算机", "笔记本", "摄像头", "分辨率",
    "热水器", "内胆", "保护膜", "保护套", "哈曼卡顿",
    // Clothes, fruit, shampoo, dairy, books.
    "面料", "料子", "尺码", "码数", "合身", "版型", "线头", "起球", "显瘦", "纯棉", "加绒", "偏小", "偏大", "试穿",
    "裤脚", "个头", "脆甜", "碰伤", "火龙果", "适中", "洗发水", "护发", "头屑", "去屑", "洗头", "沙宣", "清扬",
    "潘婷", "蒙牛", "伊利", "特仑苏", "果粒", "三鹿", "文笔",
    // Hotels.
    "入住", "携程", "点评", "大床", "大床房", "标间", "标准间", "房价", "房费", "房卡", "房型", "星级", "五星级",
    "总台", "门童", "换房", "宽带", "网速", "打车", "公交", "出租车", "火车站", "如家", "锦江", "结账", "卫生间",
    "服务员", "服务生",
};

// Taste, temperature, texture, speed, price, cleanliness, noise, damage and
// praise: one character carries the whole complaint (太慢了, 很咸, 凉了,
// 洒了). Hand-written from the most frequent single-character tokens of the
// negative waimai reviews; nouns (菜 饭 肉) are left out on purpose, they
// say what was ordered, not what went wrong.
constexpr std::string_view kMeaningfulSingles[] = {
    "慢", "快", "久", "晚", "贵", "差", "少", "咸", "淡", "辣", "甜", "酸", "苦", "油", "腻", "香", "臭",
    "馊", "凉", "冷", "烫", "硬", "软", "烂", "糊", "脆", "脏", "吵", "旧", "破", "坏", "漏", "假", "坑",
    "洒", "撒", "饿", "赞", "棒",
};

// Hand-written from the contexts of 好吃 in negative waimai reviews, where
// ICU's tokens 也不 / 都不 / 不怎么 / 不是 很 otherwise leave a bare 好吃.
constexpr Negator kNegators[] = {
    {"不", "不"},     {"没", "没"},     {"不太", "不"},   {"不怎么", "不"}, {"不够", "不够"},
    {"也不", "不"},   {"都不", "不"},   {"很不", "不"},   {"还不", "不"},   {"就不", "不"},
    {"太不", "不"},   {"并不", "不"},   {"也没", "没"},   {"都没", "没"},   {"还没", "没"},
    {"不是", "不", true},
};

constexpr std::string_view kSofteners[] = {"怎么", "太", "很", "那么", "是很", "是太", "咋", "特别", "是特别", "够"};

constexpr std::string_view kDegreeAdverbs[] = {"太", "很", "挺", "超", "好", "最", "真", "较", "蛮", "特", "巨"};

}  // namespace

std::span<const std::string_view> DomainWords() { return kDomainWords; }
std::span<const std::string_view> MeaningfulSingles() { return kMeaningfulSingles; }
std::span<const Negator> Negators() { return kNegators; }
std::span<const std::string_view> Softeners() { return kSofteners; }
std::span<const std::string_view> DegreeAdverbs() { return kDegreeAdverbs; }

}  // namespace fbl::keywords::internal
