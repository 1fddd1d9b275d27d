//! The general insurance terms of the FLEXI life insurance ("Všeobecné
//! pojistné podmínky pro životní pojištění FLEXI") of Pojišťovna České
//! spořitelny, a.s., the document the backend publishes to the client with
//! every FLEXI offer.
//!
//! The text is this project's own (written for the product, not copied from
//! any insurer). Registry data of the insurer (identification number,
//! registered office) and contact addresses are left to the insurer's web
//! pages the text refers to. The document's code and effective date are
//! [`FLEXI_TERMS_CODE`] and [`FLEXI_TERMS_EFFECTIVE`]; a change of the text
//! is a new version of the terms and needs a new code.

use crate::document::{Document, HeadingLevel, ListStyle, PdfDate};
use crate::error::ComposeError;

/// The document's name (its title, as the client sees it).
pub const FLEXI_TERMS_NAME: &str = "Všeobecné pojistné podmínky pro životní pojištění FLEXI";
/// The file name under which the document is published.
pub const FLEXI_TERMS_FILE_NAME: &str = "pojistne-podminky-FLEXI.pdf";
/// The document's code.
pub const FLEXI_TERMS_CODE: &str = "VPP-FLEXI-2027/01";
/// The date from which these terms apply, as printed.
pub const FLEXI_TERMS_EFFECTIVE: &str = "1. 1. 2027";
/// The insurer.
pub const INSURER: &str = "Pojišťovna České spořitelny, a.s.";

/// The terms as a [`Document`] (to render, or to inspect its metadata).
pub fn flexi_terms_document() -> Document {
    let mut doc = Document::new(FLEXI_TERMS_NAME);
    doc.author(INSURER)
        .subject(format!(
            "{FLEXI_TERMS_NAME}, {FLEXI_TERMS_CODE}, účinnost od {FLEXI_TERMS_EFFECTIVE}"
        ))
        .keywords("FLEXI, životní pojištění, pojistné podmínky, VPP")
        .creation_date(PdfDate::ymd(2026, 12, 1))
        .page_header(format!("{INSURER} · {FLEXI_TERMS_NAME}"))
        .page_footer(format!(
            "{FLEXI_TERMS_CODE} · účinnost od {FLEXI_TERMS_EFFECTIVE}"
        ));

    // The name on two balanced lines rather than one word on the second.
    doc.heading(
        HeadingLevel::H1,
        "Všeobecné pojistné podmínky\npro životní pojištění FLEXI",
    )
    .paragraph(format!(
        "{INSURER} (dále jen „pojistitel“ nebo „PČS“) vydává tyto všeobecné pojistné \
             podmínky, které jsou nedílnou součástí každé pojistné smlouvy o životním \
             pojištění FLEXI, jež na ně odkazuje."
    ))
    .table([
        ("Pojistitel", INSURER),
        ("Produkt", "Životní pojištění FLEXI"),
        ("Kód dokumentu", FLEXI_TERMS_CODE),
        ("Účinnost od", FLEXI_TERMS_EFFECTIVE),
        (
            "Dohled nad pojistitelem",
            "Česká národní banka, Na Příkopě 28, 115 03 Praha 1",
        ),
    ]);

    for article in ARTICLES {
        doc.article(article.title);
        for part in article.parts {
            match part {
                Part::Clause(text) => doc.clause(*text),
                Part::Letters(items) => doc.list(ListStyle::Letters, items.iter().copied()),
                Part::Bullets(items) => doc.list(ListStyle::Bullet, items.iter().copied()),
                Part::Table(rows) => doc.table(rows.iter().copied()),
            };
        }
    }

    doc.page_break()
        .heading(HeadingLevel::H2, "Příloha č. 1 – Přehled důležitých lhůt")
        .paragraph(
            "Přehled shrnuje lhůty stanovené těmito VPP. Rozhodující je vždy znění \
             příslušného ustanovení VPP a pojistné smlouvy.",
        )
        .table(DEADLINES.iter().copied())
        .heading(
            HeadingLevel::H2,
            "Příloha č. 2 – Jak otevřít dokument v úložišti",
        )
        .list(ListStyle::Letters, STORAGE_STEPS.iter().copied())
        .paragraph(
            "Nepřišla-li vám SMS s přístupovým kódem, zavolejte na klientskou linku; \
             pojistitel vám pošle nový kód. Po pěti chybně zadaných kódech se úložiště \
             z bezpečnostních důvodů zablokuje a odblokuje je až nový kód. Kód nikomu \
             nesdělujte; pojistitel ani jeho zprostředkovatel vás o něj nikdy nežádají.",
        )
        .paragraph(format!("V Pardubicích dne 1. 12. 2026\n{INSURER}"));
    doc
}

/// The terms as PDF bytes (A4, at least six pages, fonts embedded). The
/// text and fonts are fixed, so this fails only if the crate itself is
/// broken; tests check that it does not.
pub fn flexi_terms() -> Result<Vec<u8>, ComposeError> {
    flexi_terms_document().to_pdf()
}

/// One piece of an article.
enum Part {
    /// A numbered clause.
    Clause(&'static str),
    /// A list marked a), b), c) …
    Letters(&'static [&'static str]),
    /// A bulleted list.
    Bullets(&'static [&'static str]),
    /// A key/value table.
    Table(&'static [(&'static str, &'static str)]),
}

/// An article: "Článek N" and its title, then its parts.
struct Article {
    title: &'static str,
    parts: &'static [Part],
}

const ARTICLES: &[Article] = &[
    Article {
        title: "Úvodní ustanovení",
        parts: &[
            Part::Clause(
                "Tyto všeobecné pojistné podmínky pro životní pojištění FLEXI (dále jen „VPP“) \
                 upravují práva a povinnosti pojistitele, pojistníka, pojištěného a dalších osob \
                 ze životního pojištění FLEXI (dále jen „pojištění“). Pojistitelem je Pojišťovna \
                 České spořitelny, a.s., pojišťovna oprávněná provozovat pojišťovací činnost na \
                 území České republiky.",
            ),
            Part::Clause(
                "Pojištění se řídí právním řádem České republiky, zejména zákonem č. 89/2012 Sb., \
                 občanský zákoník, ve znění pozdějších předpisů (dále jen „občanský zákoník“), \
                 a zákonem č. 277/2009 Sb., o pojišťovnictví, ve znění pozdějších předpisů \
                 (dále jen „zákon o pojišťovnictví“). Pojistná smlouva, tyto VPP a případné \
                 zvláštní pojistné podmínky, na které pojistná smlouva odkazuje, tvoří jeden celek.",
            ),
            Part::Clause(
                "Ujednání pojistné smlouvy mají přednost před ustanoveními těchto VPP a ustanovení \
                 VPP mají přednost před ustanoveními zákona, která nemají donucující povahu.",
            ),
            Part::Clause(
                "Pojištění pro případ smrti a pojištění pro případ dožití jsou obnosová pojištění. \
                 Připojištění podle článku 4 jsou rovněž obnosová, není-li v pojistné smlouvě \
                 ujednáno jinak; pojistné plnění z nich se poskytuje bez ohledu na to, zda \
                 a v jaké výši vznikla pojištěnému škoda.",
            ),
            Part::Clause(
                "Pojištění je proměnlivé (odtud název FLEXI): pojistník si v rámci nabídky \
                 pojistitele volí pojistná nebezpečí, pojistné částky a pojistnou dobu a za \
                 podmínek článku 7 je může během trvání pojištění měnit.",
            ),
            Part::Clause(
                "Pojistitel, pojistník a pojištěný spolu komunikují v českém jazyce. Pojistitel \
                 podléhá při výkonu pojišťovací činnosti dohledu České národní banky.",
            ),
        ],
    },
    Article {
        title: "Výklad pojmů",
        parts: &[
            Part::Clause(
                "Pro účely pojistné smlouvy a těchto VPP mají níže uvedené pojmy tento význam:",
            ),
            Part::Table(&[
                (
                    "Pojistník",
                    "Osoba, která s pojistitelem uzavřela pojistnou smlouvu a je povinna platit \
                     pojistné.",
                ),
                (
                    "Pojištěný",
                    "Fyzická osoba, na jejíž život nebo zdraví se pojištění vztahuje. Pojištěný \
                     může být zároveň pojistníkem.",
                ),
                (
                    "Oprávněná osoba",
                    "Osoba, které v důsledku pojistné události vznikne právo na pojistné plnění.",
                ),
                (
                    "Obmyšlený",
                    "Osoba, kterou pojistník určil jako příjemce pojistného plnění pro případ smrti \
                     pojištěného.",
                ),
                (
                    "Pojistné",
                    "Úplata za pojištění, kterou je pojistník povinen platit pojistiteli.",
                ),
                (
                    "Pojistné období",
                    "Časové období dohodnuté v pojistné smlouvě, za které se platí pojistné: \
                     měsíc, čtvrtletí, pololetí nebo rok.",
                ),
                (
                    "Pojistná částka",
                    "Částka uvedená v pojistné smlouvě pro jednotlivé pojistné nebezpečí, ze které \
                     se určuje výše pojistného plnění.",
                ),
                (
                    "Pojistná událost",
                    "Nahodilá skutečnost označená v pojistné smlouvě nebo v těchto VPP, se kterou \
                     je spojena povinnost pojistitele poskytnout pojistné plnění.",
                ),
                (
                    "Úraz",
                    "Neočekávané a náhlé působení zevních sil nebo vlastní tělesné síly nezávislé \
                     na vůli pojištěného, kterým bylo pojištěnému v době trvání pojištění \
                     způsobeno poškození zdraví nebo smrt.",
                ),
                (
                    "Nemoc",
                    "Porucha zdraví, která není následkem úrazu a kterou lékař poprvé \
                     diagnostikoval v době trvání pojištění.",
                ),
                (
                    "Čekací doba",
                    "Doba od počátku pojištění nebo připojištění, během níž nevzniká právo na \
                     pojistné plnění z pojistné události, která v ní nastala.",
                ),
                (
                    "Výročí pojištění",
                    "Den, který se číslem dne a měsíce shoduje se dnem počátku pojištění.",
                ),
                (
                    "Úložiště",
                    "Zabezpečené elektronické úložiště dokumentů, jehož prostřednictvím pojistitel \
                     předává pojistníkovi dokumenty týkající se pojištění (článek 12).",
                ),
                (
                    "Biometrický podpis",
                    "Vlastnoruční podpis na podpisovém zařízení (signpadu), při kterém se \
                     zaznamenává i jeho dynamika: poloha a tlak pera a časový průběh podpisu.",
                ),
            ]),
        ],
    },
    Article {
        title: "Pojistná smlouva, vznik a počátek pojištění",
        parts: &[
            Part::Clause(
                "Pojistná smlouva se uzavírá na základě návrhu pojistitele (nabídky), který \
                 pojistník přijme podpisem. Pojistnou smlouvu lze uzavřít v listinné podobě nebo \
                 elektronicky, včetně podpisu biometrickým podpisem podle článku 12.",
            ),
            Part::Clause(
                "Před uzavřením pojistné smlouvy jsou pojistník a pojištěný povinni pravdivě \
                 a úplně odpovědět na písemné dotazy pojistitele týkající se sjednávaného \
                 pojištění, zejména na dotazy o zdravotním stavu, zaměstnání, sportovních \
                 aktivitách a finančních poměrech pojištěného. Totéž platí při změně pojištění.",
            ),
            Part::Clause(
                "Pojištění vzniká dnem uzavření pojistné smlouvy, není-li v ní ujednáno jinak. \
                 Počátek pojištění je uveden v pojistné smlouvě; je jím první den kalendářního \
                 měsíce následujícího po dni uzavření smlouvy, nebyl-li dohodnut den pozdější.",
            ),
            Part::Clause(
                "Pojistitel je oprávněn ověřit zdravotní stav pojištěného ze zpráv jeho \
                 ošetřujících lékařů, případně lékařskou prohlídkou nebo vyšetřením u lékaře, \
                 kterého určí. Náklady prohlídky nebo vyšetření, které si pojistitel vyžádal, \
                 nese pojistitel.",
            ),
            Part::Clause(
                "Pojištění jiné osoby lze sjednat jen s jejím souhlasem; za nezletilého \
                 pojištěného dává souhlas jeho zákonný zástupce. Pojistník je povinen \
                 pojištěného seznámit s obsahem pojištění a s těmito VPP.",
            ),
            Part::Clause(
                "Pojistník může obmyšleného kdykoli během trvání pojištění určit nebo změnit, \
                 a to oznámením doručeným pojistiteli. Není-li obmyšlený určen nebo nenabude-li \
                 právo na pojistné plnění, nabývají je osoby určené občanským zákoníkem.",
            ),
        ],
    },
    Article {
        title: "Pojistná nebezpečí a rozsah pojištění",
        parts: &[
            Part::Clause(
                "Pojištění se vždy sjednává pro případ smrti pojištěného. Spolu s ním lze sjednat \
                 jedno nebo více z těchto pojištění a připojištění:",
            ),
            Part::Letters(&[
                "pojištění pro případ dožití se konce pojistné doby;",
                "připojištění pro případ smrti následkem úrazu;",
                "připojištění trvalých následků úrazu s progresivním plněním;",
                "připojištění denního odškodného za dobu nezbytného léčení úrazu;",
                "připojištění pro případ invalidity třetího stupně z jakékoli příčiny;",
                "připojištění pro případ pracovní neschopnosti;",
                "připojištění pro případ závažných onemocnění (zhoubný nádor, infarkt myokardu, \
                 cévní mozková příhoda a další diagnózy uvedené v pojistné smlouvě);",
                "připojištění zproštění od placení pojistného při invaliditě pojištěného.",
            ]),
            Part::Clause(
                "Pojistnou událostí z pojištění pro případ smrti je smrt pojištěného v době \
                 trvání pojištění. Pojistitel vyplatí obmyšlenému pojistnou částku platnou ke dni \
                 smrti pojištěného.",
            ),
            Part::Clause(
                "Pojistnou událostí z pojištění pro případ dožití je dožití se pojištěného konce \
                 pojistné doby. Pojistitel vyplatí pojištěnému pojistnou částku pro případ \
                 dožití uvedenou v pojistné smlouvě.",
            ),
            Part::Clause(
                "Pojistnou událostí z připojištění pro případ invalidity je invalidita třetího \
                 stupně pojištěného uznaná orgánem sociálního zabezpečení, která vznikla v době \
                 trvání připojištění a po uplynutí čekací doby. Dnem pojistné události je den \
                 vzniku invalidity uvedený v rozhodnutí orgánu sociálního zabezpečení.",
            ),
            Part::Clause(
                "Pojistnou událostí z připojištění pro případ pracovní neschopnosti je pracovní \
                 neschopnost pojištěného uznaná ošetřujícím lékařem, která trvá déle než \
                 karenční doba zvolená v pojistné smlouvě (28, 42 nebo 60 dnů). Pojistitel \
                 vyplácí denní dávku za každý den pracovní neschopnosti po uplynutí karenční \
                 doby, nejdéle však za 365 dnů z jedné pojistné události.",
            ),
            Part::Clause(
                "Čekací doba činí tři měsíce od počátku připojištění pro případ pracovní \
                 neschopnosti a závažných onemocnění a šest měsíců od počátku připojištění pro \
                 případ invalidity. Čekací doba se neuplatní, nastala-li pojistná událost \
                 následkem úrazu.",
            ),
            Part::Clause(
                "Pojištění se vztahuje na pojistné události, které nastanou kdekoli na světě, \
                 není-li v pojistné smlouvě ujednáno jinak.",
            ),
        ],
    },
    Article {
        title: "Pojistná doba a pojistné období",
        parts: &[
            Part::Clause(
                "Pojištění se sjednává na dobu určitou uvedenou v pojistné smlouvě, nejméně na \
                 pět let. Pojistná doba skončí nejpozději na výročí pojištění, které následuje po \
                 dni, kdy pojištěný dosáhne věku 80 let, nebyla-li pro jednotlivá připojištění \
                 ujednána doba kratší.",
            ),
            Part::Clause(
                "Pojistným obdobím je kalendářní měsíc, čtvrtletí, pololetí nebo rok podle volby \
                 pojistníka uvedené v pojistné smlouvě. Pojistník může pojistné období změnit \
                 vždy k výročí pojištění.",
            ),
            Part::Clause(
                "Připojištění pro případ invalidity a pracovní neschopnosti končí nejpozději na \
                 výročí pojištění následujícím po dni, kdy pojištěný dosáhne věku 65 let, nebo \
                 dnem, kdy mu byl přiznán starobní důchod, podle toho, co nastane dříve.",
            ),
        ],
    },
    Article {
        title: "Pojistné",
        parts: &[
            Part::Clause(
                "Pojistné je běžné a platí se za pojistná období. Jeho výše je uvedena \
                 v pojistné smlouvě; pojistitel ji stanoví pojistně-matematickými metodami podle \
                 vstupního věku, zdravotního stavu, povolání a zájmové činnosti pojištěného, \
                 zvolených pojistných nebezpečí a výše pojistných částek.",
            ),
            Part::Clause(
                "Pojistné je splatné prvním dnem pojistného období. Pojistník platí pojistné \
                 bezhotovostně na účet pojistitele; variabilním symbolem je číslo pojistné \
                 smlouvy. Pojistné je zaplaceno dnem, kdy je připsáno na účet pojistitele.",
            ),
            Part::Clause(
                "Pojistitel má právo na pojistné za dobu do zániku pojištění. Zanikne-li \
                 pojištění před uplynutím pojistného období, vrátí pojistitel pojistníkovi \
                 pojistné zaplacené za dobu po zániku pojištění, nestanoví-li zákon jinak.",
            ),
            Part::Clause(
                "Je-li pojistník v prodlení s placením pojistného, zašle mu pojistitel upomínku, \
                 ve které jej vyzve k zaplacení dlužného pojistného v dodatečné lhůtě nejméně \
                 jednoho měsíce ode dne doručení upomínky, s upozorněním, že marným uplynutím \
                 této lhůty pojištění zanikne. Upomínku pojistitel doručuje do úložiště podle \
                 článku 12.",
            ),
            Part::Clause(
                "Pojistitel je oprávněn k výročí pojištění upravit výši pojistného, změní-li se \
                 okolnosti rozhodné pro jeho stanovení, zejména úmrtnost, nemocnost, náklady \
                 zdravotní péče nebo právní předpisy. Novou výši pojistného oznámí pojistníkovi \
                 nejméně dva měsíce před výročím pojištění. Nesouhlasí-li pojistník se změnou, \
                 může ji do jednoho měsíce ode dne, kdy se o ní dozvěděl, odmítnout; pojištění \
                 pak zanikne k výročí pojištění.",
            ),
            Part::Clause(
                "Byla-li sjednána indexace, zvyšuje pojistitel k výročí pojištění pojistné \
                 částky a pojistné o míru inflace vyhlášenou Českým statistickým úřadem, nejméně \
                 však o 3 %. Pojistník může indexaci odmítnout do konce měsíce, ve kterém \
                 výročí pojištění nastalo; odmítne-li ji dvakrát po sobě, indexace končí.",
            ),
            Part::Clause(
                "Pojistitel je oprávněn započíst dlužné pojistné proti pojistnému plnění.",
            ),
        ],
    },
    Article {
        title: "Změny pojištění",
        parts: &[
            Part::Clause(
                "Pojistník může k výročí pojištění požádat o změnu pojištění, zejména o změnu \
                 pojistných částek, o sjednání nebo ukončení připojištění a o změnu pojistné \
                 doby. Žádost musí pojistitel obdržet nejméně jeden měsíc před výročím \
                 pojištění.",
            ),
            Part::Clause(
                "Rozšiřuje-li se rozsah pojištění, je pojistitel oprávněn znovu posoudit \
                 zdravotní stav pojištěného a další okolnosti rozhodné pro přijetí do pojištění. \
                 Pro zvýšenou část pojistné částky a pro nově sjednaná připojištění běží nová \
                 čekací doba.",
            ),
            Part::Clause(
                "Změna je účinná od výročí pojištění, nejdříve však od prvního dne měsíce \
                 následujícího po dni, kdy ji pojistitel přijal. Pojistitel změnu potvrdí \
                 dodatkem k pojistné smlouvě, který pojistníkovi předá prostřednictvím úložiště.",
            ),
            Part::Clause(
                "Pojistník a pojištěný jsou povinni bez zbytečného odkladu oznámit pojistiteli \
                 změnu kontaktních údajů, zejména adresy, e-mailové adresy a čísla mobilního \
                 telefonu, a změnu povolání nebo zájmové činnosti pojištěného, která zvyšuje \
                 pojistné riziko.",
            ),
        ],
    },
    Article {
        title: "Pojistná událost a pojistné plnění",
        parts: &[
            Part::Clause(
                "Vznik pojistné události je oprávněná osoba povinna pojistiteli oznámit bez \
                 zbytečného odkladu, a to na formuláři pojistitele, elektronicky prostřednictvím \
                 webových stránek pojistitele nebo telefonicky na klientské lince, a předložit \
                 doklady, které si pojistitel vyžádá.",
            ),
            Part::Clause("K oznámení pojistné události se přikládají zejména:"),
            Part::Bullets(&[
                "úmrtní list pojištěného a lékařská zpráva nebo list o prohlídce zemřelého, jde-li \
                 o smrt;",
                "lékařské zprávy o diagnóze, průběhu a ukončení léčení, jde-li o úraz nebo nemoc;",
                "rozhodnutí orgánu sociálního zabezpečení o invaliditě, jde-li o invaliditu;",
                "rozhodnutí o dočasné pracovní neschopnosti, jde-li o pracovní neschopnost;",
                "záznam policie, byl-li úraz šetřen policií.",
            ]),
            Part::Clause(
                "Pojistitel zahájí šetření nutné ke zjištění rozsahu své povinnosti plnit bez \
                 zbytečného odkladu po oznámení pojistné události. Šetření skončí do tří měsíců \
                 ode dne oznámení; nelze-li je v této lhůtě skončit, sdělí pojistitel oprávněné \
                 osobě důvody a na její žádost jí poskytne přiměřenou zálohu.",
            ),
            Part::Clause(
                "Pojistné plnění je splatné do patnácti dnů po skončení šetření. Výsledek šetření \
                 pojistitel oprávněné osobě sdělí písemně; krátí-li nebo odmítá-li pojistné \
                 plnění, své rozhodnutí odůvodní.",
            ),
            Part::Clause(
                "Pojistitel je oprávněn vyžádat si zprávy od lékařů, kteří pojištěného \
                 ošetřovali, nahlížet do zdravotnické dokumentace a požádat o vyšetření \
                 pojištěného lékařem, kterého určí. Pojištěný k tomu pojistiteli uděluje souhlas \
                 a zprošťuje ošetřující lékaře mlčenlivosti v rozsahu nezbytném pro šetření.",
            ),
            Part::Clause(
                "Pojistné plnění se vyplácí v české měně bezhotovostním převodem na účet \
                 oprávněné osoby vedený v členském státě Evropské unie.",
            ),
        ],
    },
    Article {
        title: "Výluky a omezení pojistného plnění",
        parts: &[
            Part::Clause(
                "Pojistitel neposkytne pojistné plnění, nastala-li pojistná událost v souvislosti:",
            ),
            Part::Letters(&[
                "s válečnými událostmi, vzpourou, povstáním nebo teroristickým činem, jichž se \
                 pojištěný aktivně zúčastnil;",
                "s působením jaderné energie nebo ionizujícího záření, s výjimkou záření \
                 použitého při léčení;",
                "s úmyslným trestným činem, kterého se pojištěný dopustil;",
                "s požitím alkoholu nebo užitím návykové látky pojištěným, byla-li tato \
                 skutečnost příčinou pojistné události;",
                "s řízením motorového vozidla pojištěným bez příslušného řidičského oprávnění;",
                "s provozováním rizikových sportů uvedených v sazebníku pojistitele, nebyly-li \
                 výslovně zahrnuty do pojištění.",
            ]),
            Part::Clause(
                "Spáchá-li pojištěný sebevraždu před uplynutím dvou let od uzavření pojistné \
                 smlouvy, pojistitel pojistné plnění pro případ smrti neposkytne. Stejná lhůta \
                 běží ode dne zvýšení pojistné částky, a to pro její zvýšenou část.",
            ),
            Part::Clause(
                "Z připojištění pro případ invalidity, pracovní neschopnosti a závažných \
                 onemocnění se pojistné plnění neposkytuje, nastala-li pojistná událost v přímé \
                 souvislosti s nemocí nebo úrazem, které byly diagnostikovány nebo léčeny před \
                 počátkem pojištění a které pojistník nebo pojištěný pojistiteli nesdělil, \
                 ačkoli na ně byl tázán.",
            ),
            Part::Clause(
                "Porušil-li pojistník nebo pojištěný povinnost pravdivě odpovědět na dotazy \
                 pojistitele a bylo-li proto stanoveno nižší pojistné, je pojistitel oprávněn \
                 pojistné plnění snížit v poměru pojistného, které obdržel, k pojistnému, které \
                 měl obdržet.",
            ),
        ],
    },
    Article {
        title: "Zánik pojištění",
        parts: &[
            Part::Clause("Pojištění zaniká:"),
            Part::Letters(&[
                "uplynutím pojistné doby;",
                "smrtí pojištěného;",
                "marným uplynutím lhůty k zaplacení dlužného pojistného stanovené v upomínce;",
                "výpovědí pojistníka nebo pojistitele podle odstavců 10.2 a 10.3;",
                "odstoupením od pojistné smlouvy nebo odmítnutím pojistného plnění;",
                "dohodou pojistitele a pojistníka;",
                "z dalších důvodů, které stanoví občanský zákoník.",
            ]),
            Part::Clause(
                "Pojistník může pojištění vypovědět ke konci pojistného období; výpověď musí být \
                 pojistiteli doručena nejméně šest týdnů před jeho uplynutím. Pojistník \
                 i pojistitel mohou pojištění vypovědět také do dvou měsíců ode dne uzavření \
                 pojistné smlouvy; výpovědní doba je osmidenní.",
            ),
            Part::Clause(
                "Pojistník i pojistitel mohou pojištění vypovědět do tří měsíců ode dne \
                 oznámení vzniku pojistné události; výpovědní doba je jeden měsíc a jejím \
                 uplynutím pojištění zanikne.",
            ),
            Part::Clause(
                "Pojistník může od pojistné smlouvy uzavřené distančním způsobem nebo mimo \
                 obchodní prostory pojistitele odstoupit bez udání důvodu do čtrnácti dnů ode \
                 dne jejího uzavření, nebo ode dne, kdy mu byly sděleny pojistné podmínky, je-li \
                 tento den pozdější. Od životního pojištění může pojistník odstoupit také do \
                 třiceti dnů ode dne, kdy obdržel potvrzení o uzavření pojistné smlouvy.",
            ),
            Part::Clause(
                "Odstoupí-li pojistník od pojistné smlouvy podle odstavce 10.4, vrátí mu \
                 pojistitel do jednoho měsíce zaplacené pojistné, od kterého odečte, co již \
                 z pojištění plnil.",
            ),
            Part::Clause(
                "Zánikem pojištění pro případ smrti zanikají i všechna připojištění. Zánik \
                 připojištění nemá vliv na trvání ostatních pojištění sjednaných pojistnou \
                 smlouvou. Zánik pojištění pojistitel pojistníkovi oznámí prostřednictvím \
                 úložiště.",
            ),
        ],
    },
    Article {
        title: "Ochrana a zpracování osobních údajů",
        parts: &[
            Part::Clause(
                "Pojistitel je správcem osobních údajů pojistníka, pojištěného, obmyšleného \
                 a dalších osob uvedených v pojistné smlouvě (dále jen „subjekty údajů“). Osobní \
                 údaje zpracovává v souladu s nařízením Evropského parlamentu a Rady (EU) \
                 2016/679, obecným nařízením o ochraně osobních údajů (dále jen „GDPR“), se \
                 zákonem č. 110/2019 Sb., o zpracování osobních údajů, a se zákonem \
                 o pojišťovnictví.",
            ),
            Part::Clause("Pojistitel zpracovává osobní údaje zejména pro tyto účely:"),
            Part::Letters(&[
                "uzavření a správa pojistné smlouvy, včetně posouzení pojistného rizika, placení \
                 pojistného a šetření pojistných událostí;",
                "plnění právních povinností pojistitele, zejména podle zákona o pojišťovnictví \
                 a zákona o některých opatřeních proti legalizaci výnosů z trestné činnosti \
                 a financování terorismu;",
                "ochrana oprávněných zájmů pojistitele, zejména předcházení pojistným podvodům, \
                 jejich odhalování a uplatňování právních nároků;",
                "nabízení produktů a služeb pojistitele, pokud tomu subjekt údajů nevznesl \
                 námitku nebo k tomu dal souhlas.",
            ]),
            Part::Clause(
                "Údaje o zdravotním stavu zpracovává pojistitel jen v rozsahu nezbytném pro \
                 uzavření a správu pojištění a pro šetření pojistných událostí, podle čl. 9 \
                 odst. 2 GDPR a zákona o pojišťovnictví. Biometrické údaje zachycené při \
                 biometrickém podpisu slouží výhradně k ověření pravosti podpisu postupem podle \
                 článku 12.",
            ),
            Part::Clause(
                "Osobní údaje mohou být předány zejména zajistitelům, pojišťovacím \
                 zprostředkovatelům, poskytovatelům zdravotních služeb, poskytovatelům \
                 informačních a poštovních služeb, orgánům veřejné moci a dalším osobám, stanoví-li \
                 tak právní předpis. Zpracovatelé zpracovávají osobní údaje jen podle pokynů \
                 pojistitele a na základě smlouvy, která zajišťuje jejich ochranu.",
            ),
            Part::Clause(
                "Pojistitel uchovává osobní údaje po dobu trvání pojištění a poté po dobu \
                 nezbytnou k vypořádání všech nároků z pojištění, nejdéle deset let od zániku \
                 pojištění, nestanoví-li právní předpis lhůtu delší.",
            ),
            Part::Clause(
                "Subjekt údajů má právo na přístup ke svým osobním údajům, na jejich opravu nebo \
                 výmaz, na omezení zpracování a na přenositelnost údajů, právo vznést námitku \
                 proti zpracování a právo podat stížnost u Úřadu pro ochranu osobních údajů. \
                 Udělený souhlas může kdykoli odvolat; zákonnost zpracování před odvoláním tím \
                 není dotčena.",
            ),
            Part::Clause(
                "Podrobné informace o zpracování osobních údajů a kontaktní údaje pověřence pro \
                 ochranu osobních údajů obsahuje dokument Informace o zpracování osobních údajů, \
                 který pojistitel předává spolu s pojistnou smlouvou a uveřejňuje na svých \
                 webových stránkách.",
            ),
        ],
    },
    Article {
        title: "Biometrický podpis a úložiště dokumentů",
        parts: &[
            Part::Clause(
                "Pojistník a pojištěný mohou pojistnou smlouvu, její změny a další dokumenty \
                 podepsat biometrickým podpisem na podpisovém zařízení, které jim předloží \
                 pojišťovací zprostředkovatel. Biometrický podpis je elektronickým podpisem, \
                 kterým podepisující projevuje vůli být obsahem dokumentu vázán; má stejné \
                 účinky jako vlastnoruční podpis na listině.",
            ),
            Part::Clause(
                "Při biometrickém podpisu se kromě podoby podpisu zaznamenává jeho dynamika \
                 (poloha a tlak pera a časový průběh). Tyto údaje se ihned po podpisu zašifrují \
                 veřejným klíčem nezávislé důvěryhodné osoby, k jejímuž soukromému klíči \
                 pojistitel ani pojišťovací zprostředkovatel nemají přístup, a neoddělitelně se \
                 spojí s podepsaným dokumentem. Dokument se poté opatří elektronickou pečetí, \
                 která zaručuje, že nebyl změněn.",
            ),
            Part::Clause(
                "Zašifrované biometrické údaje může zpřístupnit pouze nezávislá důvěryhodná \
                 osoba, a to jen k ověření pravosti podpisu na žádost soudu, jiného orgánu \
                 veřejné moci nebo soudního znalce v řízení, v němž je pravost podpisu \
                 zpochybněna, anebo na žádost podepsané osoby. Biometrické údaje se nikdy \
                 neukládají v nezašifrované podobě.",
            ),
            Part::Clause(
                "Dokumenty týkající se pojištění, zejména pojistnou smlouvu, tyto VPP, dodatky, \
                 upomínky a oznámení o výsledku šetření, předává pojistitel pojistníkovi \
                 prostřednictvím úložiště. O vložení dokumentu do úložiště informuje pojistitel \
                 pojistníka e-mailem na adresu uvedenou v pojistné smlouvě; e-mail obsahuje \
                 odkaz na dokument v úložišti. Přístupový kód k otevření dokumentu zašle \
                 pojistitel samostatně formou SMS na číslo mobilního telefonu uvedené \
                 v pojistné smlouvě.",
            ),
            Part::Clause(
                "Přístupový kód je určen pouze pojistníkovi, platí spolu s odkazem 30 dnů \
                 a pojistník jej nesmí sdělit jiné osobě. Uplyne-li doba platnosti kódu nebo \
                 zadá-li pojistník pětkrát nesprávný kód, vyžádá si nový kód na klientské \
                 lince; nový kód ruší platnost předchozího a prodlužuje dostupnost úložiště.",
            ),
            Part::Clause(
                "Dokument je doručen okamžikem, kdy jej pojistník v úložišti poprvé otevře, \
                 nejpozději však desátým dnem po odeslání e-mailu podle odstavce 12.4, nedostal-li \
                 pojistitel zprávu, že e-mail nelze doručit. Nelze-li e-mail doručit, zašle \
                 pojistitel dokument v listinné podobě na poštovní adresu pojistníka.",
            ),
            Part::Clause(
                "Dokumenty jsou pojistníkovi v úložišti k dispozici po celou dobu trvání \
                 pojištění a nejméně tři roky po jeho zániku. Pojistník si je může kdykoli \
                 stáhnout a uložit; na jeho žádost mu je pojistitel bezplatně zašle v listinné \
                 podobě.",
            ),
            Part::Clause(
                "Pojistník je povinen udržovat e-mailovou adresu a číslo mobilního telefonu \
                 uvedené v pojistné smlouvě funkční a jejich změnu pojistiteli bez zbytečného \
                 odkladu oznámit. Dokud změnu neoznámí, doručuje pojistitel na dosavadní údaje.",
            ),
        ],
    },
    Article {
        title: "Stížnosti a řešení sporů",
        parts: &[
            Part::Clause(
                "Pojistník, pojištěný nebo jiná oprávněná osoba může podat stížnost písemně na \
                 adresu sídla pojistitele, elektronicky prostřednictvím formuláře na webových \
                 stránkách pojistitele nebo osobně na kterémkoli obchodním místě. Ze stížnosti \
                 musí být patrné, kdo ji podává, čeho se týká a čeho se stěžovatel domáhá.",
            ),
            Part::Clause(
                "Pojistitel stížnost prošetří a stěžovatele vyrozumí o výsledku bez zbytečného \
                 odkladu, nejpozději do 30 dnů ode dne jejího doručení. Vyžaduje-li prošetření \
                 delší dobu, pojistitel stěžovatele v této lhůtě informuje o důvodech \
                 a o předpokládaném termínu vyřízení.",
            ),
            Part::Clause(
                "Se stížností se lze obrátit také na Českou národní banku jako orgán dohledu nad \
                 pojišťovnictvím. Spory ze životního pojištění mezi spotřebitelem a pojistitelem \
                 rozhoduje mimosoudně finanční arbitr.",
            ),
            Part::Clause(
                "Právo obrátit se na soud tím není dotčeno. Spory z pojištění rozhodují soudy \
                 České republiky.",
            ),
        ],
    },
    Article {
        title: "Závěrečná ustanovení",
        parts: &[
            Part::Clause(
                "Písemnosti pojistitele se doručují prostřednictvím úložiště podle článku 12, \
                 jinak na poslední známou adresu adresáta. Písemnosti pojistníka se doručují na \
                 adresu sídla pojistitele nebo elektronicky způsobem, který pojistitel pro daný \
                 úkon umožňuje.",
            ),
            Part::Clause(
                "Pojistitel je oprávněn tyto VPP změnit. Návrh změny oznámí pojistníkovi \
                 nejméně dva měsíce před navrhovaným dnem její účinnosti. Neodmítne-li pojistník \
                 změnu do dne její účinnosti, platí, že ji přijal; odmítne-li ji, může pojištění \
                 s okamžitou účinností vypovědět.",
            ),
            Part::Clause(
                "Je-li některé ustanovení těchto VPP neplatné nebo neúčinné, nemá to vliv na \
                 platnost a účinnost ostatních ustanovení.",
            ),
            Part::Clause(
                "Tyto VPP nabývají účinnosti dnem 1. 1. 2027 a vztahují se na pojistné smlouvy \
                 uzavřené od tohoto dne.",
            ),
        ],
    },
];

/// Appendix 1: the deadlines of the terms, in one table.
const DEADLINES: &[(&str, &str)] = &[
    (
        "Odstoupení od smlouvy",
        "14 dnů od uzavření smlouvy uzavřené distančně nebo mimo obchodní prostory; \
         30 dnů od potvrzení o uzavření životního pojištění (odst. 10.4)",
    ),
    (
        "Výpověď po uzavření smlouvy",
        "do 2 měsíců od uzavření, výpovědní doba 8 dnů (odst. 10.2)",
    ),
    (
        "Výpověď ke konci pojistného období",
        "doručit nejméně 6 týdnů před koncem pojistného období (odst. 10.2)",
    ),
    (
        "Výpověď po pojistné události",
        "do 3 měsíců od oznámení, výpovědní doba 1 měsíc (odst. 10.3)",
    ),
    (
        "Dodatečná lhůta k zaplacení pojistného",
        "nejméně 1 měsíc od doručení upomínky (odst. 6.4)",
    ),
    (
        "Šetření pojistné události",
        "do 3 měsíců od oznámení; plnění splatné do 15 dnů po skončení šetření (odst. 8.3 a 8.4)",
    ),
    (
        "Čekací doba",
        "3 měsíce (pracovní neschopnost, závažná onemocnění), 6 měsíců (invalidita) (odst. 4.6)",
    ),
    ("Vyřízení stížnosti", "do 30 dnů od doručení (odst. 13.2)"),
    (
        "Doručení dokumentu v úložišti",
        "prvním otevřením, nejpozději 10. dnem po odeslání e-mailu (odst. 12.6)",
    ),
];

/// Appendix 2: opening a document in the storage.
const STORAGE_STEPS: &[&str] = &[
    "Otevřete e-mail od pojistitele s předmětem „Nový dokument v úložišti“ a klepněte na \
     odkaz na dokument.",
    "Vezměte si SMS s přístupovým kódem, kterou pojistitel posílá spolu s e-mailem na číslo \
     mobilního telefonu uvedené v pojistné smlouvě.",
    "Zadejte přístupový kód na stránce úložiště; po jeho ověření se dokument zobrazí.",
    "Dokument si stáhněte a uložte; v úložišti zůstane k dispozici i později.",
];
