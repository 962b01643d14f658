/// Common simplified Chinese characters for `useZh` captchas: frequent enough
/// that every reader knows them, with enough strokes to stay recognisable when
/// warped (one- and two-stroke characters such as 一, 二, 十, 人 are left out).
/// Every one has a glyph in Debian's WenQuanYi Micro Hei (checked by the tests).
public enum CommonHanzi {
    public static let characters = """
        的是不我在有他这为之大来以个中上们到说国和地也子时道出而要于就下得可你年生自会那后能对着\
        事其里所去行过家用发天如然作方成者多日都小军无同么经法当起与好看学进种将还分此心前面又定\
        见只主没公从知新现开想样关明本高原长把理问很最电两向正因已东部门马太外回社更重文身外体风\
        全代机工物果活海水实产情打西感北南安城书白听城色农花百友点语近变化品青长场记写校运动思走\
        路客房草春夏秋冬朋饭菜茶钱车船鱼鸟雨雪云星光河湖山林树木米面包票病医药店买卖红黄绿蓝黑\
        字词读唱画歌舞笑哭早晚午夜周年月季节报纸信邮话题答案试验班级课桌椅床门窗楼街站机场飞
        """

    /// The characters above with duplicates removed, in order.
    public static let unique: [Character] = {
        var seen = Set<Character>()
        return characters.filter { !$0.isWhitespace && seen.insert($0).inserted }
    }()
}
