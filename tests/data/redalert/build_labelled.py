#!/usr/bin/env python3
"""Builds tests/data/redalert/labelled.jsonl from the real data in shared/data.

Usage: python3 tests/data/redalert/build_labelled.py [--data DIR] [--out FILE]

The labels are a human judgement of "should on-call staff be paged?" (see
README.md in this folder for the policy). They are NOT produced by the
matcher: every positive row is listed by id below with a short reason, and
every other candidate row is negative by the rule that selected it. To change
a label, edit the tables below and re-run; the output is deterministic.

Ids: "<source>:<row index>" where the row index is 0-based over data rows
(header excluded), e.g. "waimai:4663"; car and nhtsa rows use their own id
columns ("car:570989", "nhtsa:84"), tweets their tweet_id.
"""
import argparse
import csv
import hashlib
import json
import os
import random
import re
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
DEFAULT_DATA = os.path.normpath(os.path.join(HERE, "..", "..", "..", "..", "shared", "data"))

# Words the data README counts as "crisis words"; every row of the three
# review corpora containing one of them is a candidate (they hold the false
# friends: 酒店很安全, room 315, 投诉 alone, 心受伤, 电脑中毒, 曝光补偿 ...).
REVIEW_WORDS = "安全 欺诈 诈骗 受伤 起火 爆炸 过敏 中毒 投诉 315 曝光 律师 起诉".split()

# Car complaint titles: crisis-ish words, including the car false friends
# (故障报警 = warning light, 多媒体, 电路漏电 = battery drain, 烧机油).
CAR_WORDS = ("失灵 失效 自燃 起火 着火 冒烟 失控 爆炸 受伤 断轴 断裂 漏电 安全 死亡 事故 撞 "
             "气囊 熄火 烧毁 烧坏 烧蚀 骗 欺诈 律师 起诉 法院 曝光 媒体 12315 315 报警 警察 投诉").split()

TWEET_RE = re.compile(
    r"\b(fire|fired|scam\w*|fraud\w*|lawyer|attorney|sue|suing|lawsuit|police|cops?|injur\w*|hurt|"
    r"hospital\w*|poison\w*|allerg\w*|burn\w*|explod\w*|explosion|danger\w*|unsafe|safety|court|media|"
    r"press|journalist|unauthori[sz]ed|stolen|hack\w*|charged|smoke|crash\w*|accident|died|death|dead|"
    r"kill\w*|sick|ill|bbb|ftc|fcc|report(ed)? you|food poisoning|shock|recall\w*|cheat\w*|steal\w*|theft)\b",
    re.I)

SAFETY, INJURY, FRAUD, PUBLIC = "safety", "injury_health", "fraud", "public_escalation"

# ---------------------------------------------------------------------------
# Positives, by id: (category, reason). Category = the most severe that
# applies, in the order safety > injury_health > fraud > public_escalation.
# ---------------------------------------------------------------------------
POSITIVES = {
    # --- online_shopping_10_cats.csv ---------------------------------------
    "shopping:2297": (FRAUD, "商业诈骗 accusation"),
    "shopping:2815": (PUBLIC, "我准备到315投去"),
    "shopping:9031": (FRAUD, "有欺诈消费者嫌疑"),
    "shopping:9075": (PUBLIC, "将向315热线反应问题 (threat)"),
    "shopping:9093": (FRAUD, "属于欺诈"),
    "shopping:9423": (PUBLIC, "已打12315投诉"),
    "shopping:9670": (FRAUD, "物流欺诈"),
    "shopping:9877": (FRAUD, "欺诈手段骗取消费者"),
    "shopping:9896": (FRAUD, "存在欺诈客户的嫌疑"),
    "shopping:9949": (FRAUD, "客服欺诈"),
    "shopping:10006": (PUBLIC, "求助12315, 发微博"),
    "shopping:10170": (SAFETY, "充电器爆炸了"),
    "shopping:10395": (PUBLIC, "举报315"),
    "shopping:10502": (FRAUD, "价格欺诈"),
    "shopping:10611": (PUBLIC, "投诉到消协"),
    "shopping:10896": (PUBLIC, "315投诉吧"),
    "shopping:11279": (FRAUD, "去法院告你涉嫌消费欺诈"),
    "shopping:11495": (FRAUD, "简直就是欺诈 / 诈骗"),
    "shopping:11683": (FRAUD, "物流欺诈"),
    "shopping:11820": (FRAUD, "典型的欺诈消费者"),
    "shopping:11994": (FRAUD, "我认为这就是欺诈"),
    "shopping:12009": (FRAUD, "欺诈顾客 / 购物诈骗"),
    "shopping:12125": (FRAUD, "感觉有点欺诈"),
    "shopping:12462": (FRAUD, "骗子, 严重欺诈行为, 已报案"),
    "shopping:12617": (PUBLIC, "那我就找12315"),
    "shopping:12955": (FRAUD, "商业诈骗的行为"),
    "shopping:13283": (PUBLIC, "我已经投诉315"),
    "shopping:13319": (SAFETY, "充电差点导致爆炸, 插口烧坏烧黑"),
    "shopping:15671": (FRAUD, "完全是欺诈"),
    "shopping:22058": (FRAUD, "这是在欺诈"),
    "shopping:22213": (FRAUD, "明险是欺诈消费者"),
    "shopping:22264": (FRAUD, "有欺诈之嫌"),
    "shopping:23210": (PUBLIC, "我还要打12315投诉"),
    "shopping:23384": (FRAUD, "警惕这种欺诈行为"),
    "shopping:23492": (FRAUD, "欺诈消费"),
    "shopping:23999": (INJURY, "包装搞得我一身过敏, 全身疙瘩"),
    "shopping:24893": (FRAUD, "欺诈！"),
    "shopping:25100": (INJURY, "吃完和中毒一样, 舌头嘴巴都是红的 (actual symptoms)"),
    "shopping:25336": (FRAUD, "商家存在欺诈行为"),
    "shopping:25714": (FRAUD, "说严重点就是欺诈"),
    "shopping:26043": (PUBLIC, "马上打12315"),
    "shopping:26790": (INJURY, "对该款洗发水过敏"),
    "shopping:31186": (INJURY, "用着头皮痒, 身上也痒, 像过敏一样"),
    "shopping:31302": (FRAUD, "完全是在欺诈消费者"),
    "shopping:31599": (INJURY, "对洗发水过敏, 头皮难受"),
    "shopping:31906": (FRAUD, "京东这是欺诈行为"),
    "shopping:31947": (INJURY, "脸上长痘, 过敏, 快毁容了"),
    "shopping:31992": (INJURY, "洗完头眼睛红肿, 泪流"),
    "shopping:32135": (INJURY, "长过敏的籽籽"),
    "shopping:32382": (INJURY, "头皮痒疼, 过敏了"),
    "shopping:32507": (INJURY, "消毒液洗了过敏"),
    "shopping:32643": (INJURY, "洗头人员手过敏了"),
    "shopping:32645": (INJURY, "用了过敏"),
    "shopping:33014": (FRAUD, "欺诈消费者"),
    "shopping:33074": (INJURY, "头皮疼, 应该是过敏"),
    "shopping:33169": (FRAUD, "这不是欺诈吗"),
    "shopping:33359": (INJURY, "我过敏, 使用之后头皮发痒"),
    "shopping:33828": (FRAUD, "就是消费欺诈"),
    "shopping:34044": (FRAUD, "欺诈消费者"),
    "shopping:34092": (PUBLIC, "媒体都曝光过京东售假"),
    "shopping:34100": (INJURY, "皮肤过敏, 头痒"),
    "shopping:34287": (INJURY, "起小嘎哒, 过敏啦"),
    "shopping:34325": (INJURY, "两个人全过敏"),
    "shopping:34378": (PUBLIC, "已经拨打了315, 等待调查"),
    "shopping:34457": (INJURY, "老公用了过敏, 去了一趟医院"),
    "shopping:34660": (INJURY, "洗了这个我都过敏了"),
    "shopping:34741": (INJURY, "洗完之后感觉过敏了, 头皮瘙痒"),
    "shopping:34885": (PUBLIC, "12315维权走起"),
    "shopping:34924": (FRAUD, "有广告欺诈嫌疑"),
    "shopping:35427": (INJURY, "头皮流脓, 皮肤过敏"),
    "shopping:35785": (INJURY, "皮肤过敏, 过敏药; also 联系律师"),
    "shopping:35802": (FRAUD, "广告欺诈"),
    "shopping:36048": (FRAUD, "京东就是欺诈"),
    "shopping:36071": (INJURY, "严重过敏, 头皮屑"),
    "shopping:36115": (PUBLIC, "打消费者协会投诉"),
    "shopping:34029": (PUBLIC, "打消费者维权电话"),
    "shopping:31179": (PUBLIC, "看看北京消协对你们有什么处理"),
    "shopping:3593": (PUBLIC, "只好寻求媒体的帮助"),
    "shopping:37984": (PUBLIC, "今晚电视台曝光"),
    "shopping:38046": (PUBLIC, "问题牛奶已经被曝光N次"),
    "shopping:38184": (PUBLIC, "蒙牛被曝光的负面事件"),
    "shopping:38266": (PUBLIC, "要曝光三元了么"),
    "shopping:38282": (INJURY, "一脸的包, 脸肿, 过敏了"),
    "shopping:38295": (INJURY, "牛奶里是指甲 (foreign object); @问题食品大曝光"),
    "shopping:38321": (FRAUD, "纯牛奶是商业欺诈"),
    "shopping:38364": (PUBLIC, "#12315#"),
    "shopping:38573": (PUBLIC, "不断被曝光出各种产品质量问题"),
    "shopping:38586": (PUBLIC, "又被曝光质量问题"),
    "shopping:38602": (PUBLIC, "被曝光过的黑心企业"),
    "shopping:38687": (PUBLIC, "质量问题频繁被曝光"),
    "shopping:38757": (PUBLIC, "投诉到工商部门"),
    "shopping:43849": (PUBLIC, "我想起诉你们"),
    "shopping:44274": (FRAUD, "欺诈"),
    "shopping:44530": (FRAUD, "这不是诈骗吗"),
    "shopping:44565": (INJURY, "皮肤接触会过敏"),
    "shopping:44987": (FRAUD, "欺诈消费者权益, 已经报中国消费者协会"),
    "shopping:45140": (FRAUD, "正大光明的欺诈行为"),
    "shopping:45384": (FRAUD, "这诈骗消费者也太明显了"),
    "shopping:45568": (FRAUD, "诈骗啊"),
    "shopping:46011": (PUBLIC, "静待我工商投诉"),
    "shopping:46936": (FRAUD, "价格欺诈, 去工商部门"),
    "shopping:47340": (INJURY, "穿了以后全身过敏"),
    "shopping:51733": (FRAUD, "有点欺诈啊"),
    "shopping:51848": (FRAUD, "有点欺诈的嫌疑"),
    "shopping:57502": (INJURY, "门边锋利, 手指夹伤, 包扎"),
    "shopping:57885": (PUBLIC, "我只好投诉12315"),
    "shopping:57886": (PUBLIC, "再不走我就报警了 (solicitation at the door)"),
    "shopping:58077": (INJURY, "跳蚤咬, 肿块, 去医院皮肤科"),
    "shopping:58119": (FRAUD, "对消费者的欺诈"),
    "shopping:58401": (INJURY, "全身过敏, 起红疙瘩"),
    "shopping:58483": (PUBLIC, "马上打12315投诉"),
    "shopping:58982": (SAFETY, "小偷爬窗入室偷窃, 报警立案"),
    "shopping:59266": (FRAUD, "值班经理有意欺诈"),
    "shopping:59422": (INJURY, "过敏或床单刺激起疹子"),
    "shopping:59566": (INJURY, "全身长小水泡, 过敏或皮炎"),
    "shopping:59608": (INJURY, "睡一晚就过敏了"),
    "shopping:59809": (FRAUD, "简直就是欺诈消费者"),
    "shopping:59993": (INJURY, "医生确诊螨虫引起的过敏"),
    "shopping:60029": (FRAUD, "面积上有欺诈行为"),
    "shopping:60508": (FRAUD, "感觉在欺诈"),
    "shopping:60645": (INJURY, "上吐下泻, 食物中毒"),
    "shopping:61877": (PUBLIC, "我说要投诉到消协"),
    "shopping:61933": (FRAUD, "说准五星简直是一种欺诈"),
    "shopping:62336": (INJURY, "身上起了很多疹子, 过敏"),
    "shopping:62346": (INJURY, "枕头被套不干净我还过敏"),
    "shopping:62350": (FRAUD, "酒店的欺诈还是携程的欺诈"),
    "shopping:62678": (INJURY, "医生说明是食物中毒"),
    "shopping:61178": (INJURY, "早餐中吃到虫子 (random sample)"),
    "shopping:60006": (INJURY, "饮料里有脏东西 (random sample)"),
    # Found on a second pass over every candidate for crisis content outside
    # the keyword that selected it (see README, "Review passes").
    "shopping:58229": (INJURY, "炒米粉里咬到硬物, 牙齿碎裂出血"),
    "shopping:54542": (INJURY, "清炒芦笋中发现一根头发"),
    "shopping:26054": (INJURY, "火龙果里边都有虫子, 差点吃到肚子里"),
    "shopping:58308": (INJURY, "床上有小东西咬人, 十多个小红点"),
    "shopping:58660": (FRAUD, "到机场70块, 被骗了100"),
    "waimai:4037": (INJURY, "奶茶里有虫子"),
    "waimai:7974": (INJURY, "里面有油炸蟑螂; 打消费者热线"),
    "waimai:9798": (INJURY, "同事吃了拉肚子, 去医院, 急性肠胃炎"),
    "waimai:6978": (FRAUD, "付了款没收到外卖, 骗钱吗"),
    "hotel:7577": (INJURY, "又吐又泻, 进医院住了两天"),
    # --- waimai_10k.csv ----------------------------------------------------
    "waimai:2942": (INJURY, "对香菜过敏, 全是香菜 (allergen despite note)"),
    "waimai:4190": (PUBLIC, "媒体曝光！等着的"),
    "waimai:4352": (INJURY, "吃完中毒啦"),
    "waimai:4663": (INJURY, "食物中毒"),
    "waimai:5800": (INJURY, "全是香菜, 我过敏啊 (allergen)"),
    "waimai:6150": (FRAUD, "诈骗行为, 我要打315投诉"),
    "waimai:8336": (INJURY, "我香菇过敏 (allergen despite note)"),
    "waimai:9622": (FRAUD, "这不欺诈消费者么"),
    # --- ChnSentiCorp_htl_all.csv (hotel) -----------------------------------
    "hotel:2077": (INJURY, "老婆和孩子身上都发疹子, 过敏源"),
    "hotel:2125": (FRAUD, "此酒店有欺诈客人的嫌疑"),
    "hotel:3189": (INJURY, "手指夹伤, 包扎"),
    "hotel:5710": (INJURY, "全身长小水泡, 过敏或皮炎"),
    "hotel:6181": (PUBLIC, "我只好投诉12315"),
    "hotel:6246": (FRAUD, "酒店的欺诈还是携程的欺诈"),
    "hotel:6254": (PUBLIC, "马上打12315投诉"),
    "hotel:6437": (INJURY, "医生确诊螨虫引起的过敏"),
    "hotel:6504": (FRAUD, "说准五星简直是一种欺诈"),
    "hotel:6798": (INJURY, "跳蚤咬, 肿块, 去医院皮肤科"),
    "hotel:6819": (FRAUD, "面积上有欺诈行为"),
    "hotel:7029": (INJURY, "上吐下泻, 食物中毒"),
    "hotel:7082": (PUBLIC, "我说要投诉到消协"),
    "hotel:7238": (FRAUD, "简直就是欺诈消费者"),
    "hotel:7272": (FRAUD, "对消费者的欺诈"),
    "hotel:7330": (INJURY, "身上起了很多疹子, 过敏"),
    "hotel:7332": (SAFETY, "小偷爬窗入室偷窃, 报警立案"),
    "hotel:7468": (FRAUD, "值班经理有意欺诈"),
    "hotel:7526": (PUBLIC, "再不走我就报警了"),
    "hotel:7594": (INJURY, "医生说明是食物中毒"),
    # --- blackcat_complaints.csv -------------------------------------------
    "blackcat:1": (FRAUD, "不知情情况下被开通自动续费, 自动扣款"),
    "blackcat:14": (FRAUD, "P2P 平台不返还本金, 恶意篡改数据; 媒体发声被删除"),
    "blackcat:15": (FRAUD, "涉骗: 诱导报名后追加收费"),
    "blackcat:16": (FRAUD, "存在欺诈行为"),
    "blackcat:19": (FRAUD, "私自扣款"),
    "blackcat:20": (FRAUD, "不知情的自动续费扣费"),
    "blackcat:23": (FRAUD, "理财产品血本无归"),
    "blackcat:28": (FRAUD, "从未订购的套餐每月扣款"),
    "blackcat:31": (FRAUD, "京东这里有欺诈消费者的行为"),
    "blackcat:32": (FRAUD, "被骗充钱"),
    "blackcat:36": (FRAUD, "这不是欺诈消费者吗"),
    "blackcat:47": (FRAUD, "未经本人同意强制下款"),
    "blackcat:50": (FRAUD, "代报名骗局"),
    "blackcat:52": (FRAUD, "乱扣费"),
    "blackcat:54": (FRAUD, "虚假承诺收取学费; 希望曝光该单位"),
    "blackcat:56": (FRAUD, "血汗钱被平台骗了"),
    "blackcat:60": (FRAUD, "买的号被卖家找回 (涉骗)"),
    "blackcat:62": (INJURY, "针清后脸部红肿; 说要报警"),
    "blackcat:64": (FRAUD, "未经同意强制下款"),
    "blackcat:65": (FRAUD, "商家寄空包后失联, 客服让报警"),
    "blackcat:67": (FRAUD, "偷偷扣费, 准备12315投诉"),
    "blackcat:69": (FRAUD, "未经允许开通会员自动扣款"),
    "blackcat:70": (FRAUD, "未经客户允许和知情私自扣费"),
    "blackcat:71": (FRAUD, "涉骗: 承诺不再收费后要求交费"),
    "blackcat:74": (FRAUD, "涉骗: 诱导消费, 明显欺骗"),
    "blackcat:82": (FRAUD, "被骗分期租车"),
    "blackcat:83": (FRAUD, "是欺诈行为"),
    "blackcat:84": (FRAUD, "理财到期不回款, 坑蒙拐骗"),
    "blackcat:90": (FRAUD, "涉嫌故意欺诈顾客"),
    "blackcat:91": (FRAUD, "点进去就直接扣款"),
    "blackcat:93": (FRAUD, "组装机冒充苹果, 另收500元"),
    "blackcat:102": (FRAUD, "涉嫌骗钱, 骗子"),
    # --- car_complaints.csv (titles) ---------------------------------------
    "car:570989": (SAFETY, "刹车失灵"),
    "car:570757": (SAFETY, "车辆自燃"),
    "car:568819": (SAFETY, "交通事故气囊未弹开"),
    "car:568761": (SAFETY, "交通事故安全气囊未弹开"),
    "car:568673": (SAFETY, "交通事故气囊未弹开"),
    "car:568634": (SAFETY, "新车发生自燃"),
    "car:568576": (SAFETY, "行驶时转向系统卡滞失灵"),
    "car:568401": (SAFETY, "转向助力失效"),
    "car:568323": (SAFETY, "发动机舱冒烟"),
    "car:567868": (SAFETY, "刹车方向盘失控"),
    "car:567660": (SAFETY, "刹车失灵"),
    "car:567583": (SAFETY, "电路短路 烧坏"),
    "car:515447": (SAFETY, "刹车失灵"),
    "car:515389": (SAFETY, "行驶中刹车失灵造成车辆事故"),
    "car:515369": (SAFETY, "刹车失灵"),
    "car:515212": (SAFETY, "转向助力失效卡死"),
    "car:515011": (SAFETY, "油门反应延迟导致车辆事故"),
    "car:514654": (SAFETY, "保险盒烧毁"),
    "car:514496": (SAFETY, "刹车失灵"),
    "car:514424": (SAFETY, "高速行驶时自燃"),
    "car:514365": (SAFETY, "车辆自燃"),
    "car:514293": (SAFETY, "正面碰撞气囊未弹出"),
    "car:513824": (SAFETY, "刹车失灵"),
    "car:512453": (SAFETY, "转向失灵"),
    "car:512327": (SAFETY, "转向失灵"),
    "car:512282": (SAFETY, "导致车辆失控"),
    "car:512249": (SAFETY, "电机烧毁"),
    "car:512234": (SAFETY, "车架断裂"),
    "car:512188": (SAFETY, "车辆自燃"),
    "car:512095": (SAFETY, "刹车失灵造成事故"),
    "car:511993": (SAFETY, "刹车失灵"),
    "car:511688": (SAFETY, "刹车失灵"),
    "car:486022": (SAFETY, "车辆自燃"),
    "car:485787": (SAFETY, "方向盘 刹车 油门全部失灵"),
    "car:481915": (SAFETY, "上摆臂断裂导致方向失控"),
    "car:481779": (SAFETY, "转向系统失灵"),
    "car:481619": (SAFETY, "行驶中发生自燃"),
    "car:481579": (SAFETY, "传动轴断裂"),
    "car:481568": (SAFETY, "线束烧蚀"),
    "car:480987": (SAFETY, "转向机进水烧毁"),
    "car:568448": (FRAUD, "有欺诈嫌疑"),
    "car:567691": (FRAUD, "消费欺诈, 虚假索赔单"),
    "car:486249": (FRAUD, "厂家涉嫌欺诈"),
    "car:481200": (FRAUD, "销售欺诈行为"),
    # --- nhtsa (besides crash/fire/injured/deaths, see nhtsa_label) --------
    "nhtsa:2": (SAFETY, "ABS system failure"),
    "nhtsa:6": (SAFETY, "loss of steering and braking"),
    "nhtsa:7": (SAFETY, "loss of steering and braking"),
    "nhtsa:8": (SAFETY, "loss of steering and braking"),
    "nhtsa:10": (SAFETY, "braking system failure"),
    "nhtsa:13": (SAFETY, "sun roof glass flew off while driving"),
    "nhtsa:17": (SAFETY, "ABS fails, van wouldn't stop"),
    "nhtsa:19": (SAFETY, "brake failure while driving"),
    "nhtsa:34": (SAFETY, "frame cracked, control lost"),
    "nhtsa:55": (SAFETY, "accelerate out of control"),
    "nhtsa:57": (SAFETY, "wheel locked up, vehicle spun"),
    "nhtsa:62": (SAFETY, "fuel leaked, strong fumes"),
    "nhtsa:64": (SAFETY, "fuel tank leaks"),
    "nhtsa:67": (SAFETY, "brake failure"),
    "nhtsa:70": (SAFETY, "ball joints broke, wheel slid out"),
    "nhtsa:73": (SAFETY, "leaking gas tank"),
    "nhtsa:76": (SAFETY, "ABS malfunction, extended stopping distance"),
    "nhtsa:78": (SAFETY, "steering locked up while driving"),
    "nhtsa:82": (SAFETY, "brakes failed"),
    "nhtsa:83": (SAFETY, "steering failed"),
    "nhtsa:88": (SAFETY, "power steering failure"),
    # --- complaint_tweets_en.csv -------------------------------------------
    "tweet:155213343156748289": (FRAUD, "order placed that the customer never made"),
    "tweet:668826064873918464": (SAFETY, "smoke smell comes out of the car"),
    "tweet:745620128419635200": (FRAUD, "#scam"),
    "tweet:864529080460431360": (FRAUD, "charged for something cancelled"),
    "tweet:865581115175776256": (FRAUD, "is this a scam (possible phishing)"),
    "tweet:887021671508586496": (FRAUD, "account has been hacked"),
    "tweet:898231616627240961": (SAFETY, "trees with a dangerous lean to the power line"),
    "tweet:913012865585618944": (INJURY, "called in sick, thanks @pizzahut"),
    "tweet:913182806473428992": (FRAUD, "fraud account copying mine"),
    "tweet:916159665184149504": (SAFETY, "room has a burning air unit"),
    "tweet:928019344424161281": (FRAUD, "credit card charged an additional $103"),
    "tweet:935551465623494656": (FRAUD, "scammed out of $40"),
    "tweet:936399674210242560": (FRAUD, "is scamming people"),
    "tweet:940383745948962817": (FRAUD, "almost got scammed (impostor)"),
    "tweet:940735159619514368": (PUBLIC, "going to contact a labor lawyer"),
    "tweet:940941605439188992": (PUBLIC, "I contacted the FTC"),
    "tweet:784783034587418624": (PUBLIC, "@FTC about the provider"),
    "tweet:942319104509272064": (FRAUD, "money taken, charged for someone else's service"),
    "tweet:952961388175085568": (FRAUD, "fraudulent purchase using my account"),
    "tweet:954257399774244865": (FRAUD, "scammed on ebay"),
    "tweet:958280250894442497": (FRAUD, "practically got scammed by airasia"),
    "tweet:959146028367716352": (FRAUD, "cancelled but still charged monthly"),
}

# Negatives worth a note (false friends); everything not in POSITIVES is
# negative, these only document why.
NOTES = {
    "shopping:10357": "发烫的要爆炸了一样 (simile)",
    "shopping:10653": "怕起火 (fear, no event)",
    "shopping:22405": "如果...出问题 (hypothetical)",
    "shopping:33864": "万一过敏了怎么办 (hypothetical)",
    "shopping:3307": "书弄破了手 (paper cut, trivial)",
    "shopping:61828": "服务员用房卡开门 (scare, no harm)",
    "shopping:61527": "安全门锁着 (hazard claim, no incident)",
    "shopping:46349": "短信被标记可能存在欺诈 (phone filter)",
    "shopping:61204": "跟诈骗差不多 (hyperbole about price)",
    "hotel:5427": "跟诈骗差不多 (hyperbole about price)",
    "shopping:11302": "期待315早点到来 (no action)",
    "shopping:13343": "不投诉315 (negated)",
    "shopping:9167": "本想到315投诉, 但没时间 (not done)",
    "shopping:60892": "大堂经理说去315投诉吧 (staff's words)",
    "car:512128": "电路漏电 = battery drain",
    "car:480848": "离合器烧毁 = worn clutch",
    "tweet:940345012562280448": "see you in court (joke about a BLT)",
    "tweet:939700500773007362": "building fire unrelated to any company",
    "tweet:947366859426357248": "felt threatened by a manager, asks where to complain (conduct, past)",
}


def nhtsa_label(row):
    """NHTSA rows use the file's own safety labels first."""
    injured = int(row["injured"] or 0)
    deaths = int(row["deaths"] or 0)
    if deaths > 0 or injured > 0:
        return INJURY if row["crash"] != "Y" and row["fire"] != "Y" else SAFETY
    if row["crash"] == "Y" or row["fire"] == "Y":
        return SAFETY
    return None


def split_of(row_id):
    """Deterministic split: holdout if the first byte of sha1(id) is odd."""
    return "holdout" if hashlib.sha1(row_id.encode()).digest()[0] % 2 else "dev"


def read_csv(path):
    with open(path, encoding="utf-8-sig", newline="") as f:
        return list(csv.DictReader(f))


def build(data_dir):
    out = []
    seen_text = set()

    def add(row_id, source, text, category=None):
        text = text.strip()
        key = re.sub(r"\s+", "", text)
        if not text or key in seen_text:
            return
        seen_text.add(key)
        if category is None and row_id in POSITIVES:
            category = POSITIVES[row_id][0]
        out.append({"id": row_id, "source": source, "text": text,
                    "alert": category is not None, "category": category})

    rng = random.Random(20261122)
    ordinary = []
    for fname, prefix in [("online_shopping_10_cats.csv", "shopping"), ("waimai_10k.csv", "waimai"),
                          ("ChnSentiCorp_htl_all.csv", "hotel")]:
        for i, r in enumerate(read_csv(os.path.join(data_dir, fname))):
            text = r["review"] or ""
            if any(w in text for w in REVIEW_WORDS):
                add(f"{prefix}:{i}", fname, text)
            elif text.strip():
                ordinary.append((f"{prefix}:{i}", fname, text))
    for row_id, fname, text in rng.sample(ordinary, 150):
        add(row_id, fname, text)

    for i, r in enumerate(read_csv(os.path.join(data_dir, "blackcat_complaints.csv"))):
        add(f"blackcat:{i}", "blackcat_complaints.csv", r["投诉标题"] + "\n" + r["投诉详情"])

    for r in read_csv(os.path.join(data_dir, "car_complaints.csv")):
        if any(w in r["desc"] for w in CAR_WORDS):
            add(f"car:{r['id']}", "car_complaints.csv", r["desc"])

    for r in read_csv(os.path.join(data_dir, "nhtsa_complaints_sample_en.csv")):
        row_id = f"nhtsa:{r['cmplid']}"
        cat = nhtsa_label(r) or (POSITIVES[row_id][0] if row_id in POSITIVES else None)
        if cat is None:
            # add() would look POSITIVES up again; pass through explicitly.
            add(row_id, "nhtsa_complaints_sample_en.csv", r["cdescr"])
        else:
            add(row_id, "nhtsa_complaints_sample_en.csv", r["cdescr"], cat)

    tweets = read_csv(os.path.join(data_dir, "complaint_tweets_en.csv"))
    rest = []
    for r in tweets:
        if TWEET_RE.search(r["text"]):
            add(f"tweet:{r['tweet_id']}", "complaint_tweets_en.csv", r["text"])
        else:
            rest.append(r)
    for r in rng.sample(rest, 40):
        add(f"tweet:{r['tweet_id']}", "complaint_tweets_en.csv", r["text"])

    missing = [k for k in POSITIVES if k not in {o["id"] for o in out}]
    return out, missing


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--data", default=DEFAULT_DATA)
    ap.add_argument("--out", default=os.path.join(HERE, "labelled.jsonl"))
    args = ap.parse_args()
    rows, missing = build(args.data)
    if missing:
        # A positive that was deduplicated away (same text under another id)
        # or mistyped: report it so the table stays honest.
        print("note: positives not emitted (duplicate text or bad id):", ", ".join(missing),
              file=sys.stderr)
    with open(args.out, "w", encoding="utf-8") as f:
        for r in rows:
            r["split"] = split_of(r["id"])
            f.write(json.dumps(r, ensure_ascii=False) + "\n")
    n_pos = sum(r["alert"] for r in rows)
    by_split = {s: sum(1 for r in rows if r["split"] == s) for s in ("dev", "holdout")}
    print(f"wrote {len(rows)} rows ({n_pos} alert) to {args.out}; {by_split}")


if __name__ == "__main__":
    main()
