// Multilingual lexicon of the extraction engine: words that name a code, and words that say a number is
// something else (an amount, a phone number, a card, an order, a date, a promotion).
//
// Notation of the word lists (space-separated scripts; matched on folded words, see `foldWord`):
//   `code`      the word itself, any letter case
//   `kod~4`     a stem followed by at most 4 more letters (inflections: kodu, kodunuz, kodem)
//   `^TAN`      only when written in capitals or as the tail of a camel-case word (mTAN, smsTan)
//   `sign in`   a phrase: consecutive words separated by spaces, hyphens or slashes
// CJK lists (Han, kana, Hangul, Thai) are plain substrings of runs written without spaces.

export type Role =
  | 'code' // names a code: code, OTP, PIN, password, 验证码
  | 'weak' // login/verification context: verify, sign in, 登录
  | 'imperative' // tells the reader to type something: enter, use, 输入
  | 'negmod' // turns a following (or, `after`, preceding) code word into something else: promo code, bar code
  | 'after' // the same, written after the code word: código promocional, code promo
  | 'promo' // marketing context
  | 'amount'
  | 'currency'
  | 'phone'
  | 'card'
  | 'order'
  | 'unit'
  | 'date';

/** Code words that say what kind of code it is; promotion context does not cancel them. */
const CODE_SPECIFIC: Record<string, readonly string[]> = {
  en: [
    'otp~1',
    'pin~1',
    '^TAN~1',
    'password~1',
    'passcode~1',
    'passwd',
    'passkey',
    'one time password',
    'one time pin',
    'one time code',
    'p w',
    'security code~1',
    'verification code~1',
    'auth code',
  ],
  de: ['passwort~2', 'kennwort~2', 'einmalpasswort~2', 'einmalkennwort~2', 'mtan', 'smstan'],
  fr: ['mot de passe'],
  es: ['contrasena~1', 'clave~1'],
  pt: ['senha~1'],
  nl: ['wachtwoord~2'],
  sv: ['losenord~2'],
  no: ['passord~2'],
  da: ['adgangskode~2'],
  fi: ['salasana~2', 'tunnusluku~2'],
  pl: ['haslo~2'],
  cs: ['heslo~2'],
  hu: ['jelszo~3'],
  ro: ['parola~2'],
  tr: ['sifre~4', 'parola~3'],
  ru: ['пароль', 'пароля', 'паролем', 'parol~2'],
  uk: ['пароль'],
  bg: ['парола~2'],
  sr: ['lozinka~2', 'sifra~2'],
  el: ['κωδικο~2', 'κωδικοσ'],
  he: ['סיסמה', 'סיסמא', 'סיסמת', 'סיסמתך'],
  fa: ['رمز', 'رمزعبور', 'گذرواژه'],
  ar: ['رمز', 'كلمة المرور', 'كلمة السر'],
  hi: ['ओटीपी', 'पासवर्ड'],
  id: ['kata sandi', 'sandi'],
  vi: [
    'mat khau',
    'ma xac thuc',
    'ma xac nhan',
    'ma xac minh',
    'ma kich hoat',
    'ma bao mat',
    'ma dang nhap',
    'ma otp',
  ],
};

/** Plain "code" words: strong, but a promotion in the same message cancels them. */
const CODE_GENERIC: Record<string, readonly string[]> = {
  en: ['code~1', 'token~1'],
  es: ['codigo~1'],
  it: ['codice~1'],
  sv: ['kod~2'],
  no: ['kode~2'],
  fi: ['koodi~3'],
  et: ['kood~2'],
  lv: ['kods', 'kodu'],
  lt: ['kodas~1'],
  pl: ['kod~4'],
  ro: ['cod~3'],
  tr: ['kod~5'],
  ru: ['код~3', 'kodi'],
  fa: ['کد', 'کود'],
  ar: ['کود'],
  he: ['קוד', 'הקוד', 'קודך'],
  hi: ['कोड'],
  id: ['kode~1'],
};

/** Long compounds that end in a code word (Verifizierungscode, vahvistuskoodia, engångskod). */
export const COMPOUND_TAILS: readonly string[] = [
  'code',
  'kode',
  'koodi',
  'kood',
  'kod',
  'kennwort',
  'passwort',
  'wachtwoord',
  'losenord',
  'passord',
  'salasana',
  'codigo',
  'sifre',
  'код',
  'пароль',
];

/** Compounds whose first part makes the code something else (Rabattcode, промокод, barcode). */
export const COMPOUND_NEGATIVE_HEADS: readonly string[] = [
  'promo',
  'rabatt',
  'gutschein',
  'aktion',
  'coupon',
  'kupon',
  'voucher',
  'gift',
  'geschenk',
  'discount',
  'bonus',
  'referral',
  'invite',
  'einlade',
  'source',
  'quell',
  'error',
  'fehler',
  'status',
  'postleit',
  'post',
  'barcode',
  'strich',
  'zip',
  'area',
  'vorwahl',
  'zugangs',
  'промо',
  'скидоч',
  'подароч',
  'indirim',
  'hediye',
  'rabat',
  'korting',
  'tracking',
  'sendungs',
];

const WEAK: Record<string, readonly string[]> = {
  en: [
    'verify~2',
    'verification~1',
    'authentication',
    'authenticate~1',
    'authorization',
    'authorisation',
    'confirm~2',
    'confirmation',
    'activation',
    'activate',
    'security',
    'secure',
    'login~1',
    'log in',
    'log on',
    'sign in',
    'signin',
    'logon',
    'access',
    '2fa',
    'mfa',
    'two factor',
    'one time',
    '2 step',
  ],
  de: [
    'verifizierung~2',
    'bestatigung~2',
    'anmeldung~2',
    'anmelden',
    'sicherheit~2',
    'freigabe~1',
    'authentifizierung',
  ],
  fr: ['verification~1', 'connexion', 'confirmation', 'securite', 'authentification'],
  es: [
    'verificacion',
    'autenticacion',
    'confirmacion',
    'acceso',
    'seguridad',
    'autorizacion',
    'firma',
    'un solo uso',
  ],
  pt: ['verificacao', 'autenticacao', 'acesso', 'seguranca', 'autorizacao', 'confirmacao'],
  it: ['verifica', 'autenticazione', 'accesso', 'sicurezza', 'conferma'],
  nl: ['verificatie~1', 'bevestiging~2', 'inloggen', 'beveiliging~2'],
  sv: ['verifiering~2', 'bekraftelse~2', 'inloggning~2'],
  no: ['bekreftelse~2', 'innlogging~2'],
  da: ['bekraeftelse~2', 'bekraftelse~2', 'login'],
  fi: ['vahvistus~3', 'todennus~3', 'kirjautuminen~2', 'kirjautumista'],
  pl: ['weryfikacja~2', 'weryfikacyjny~2', 'logowania', 'potwierdzenia'],
  cs: ['overeni', 'overovaci~2', 'prihlaseni'],
  hu: ['ellenorzo~2', 'megerosito~2', 'azonosito~3', 'bejelentkezes~2'],
  ro: ['verificare', 'confirmare', 'autentificare'],
  tr: ['dogrulama~2', 'onay~4', 'giris~4', 'guvenlik~2'],
  ru: [
    'подтверждения',
    'подтверждение',
    'вход~2',
    'входа',
    'авторизации',
    'верификации',
    'проверочный~2',
    'podtverzhdeniya',
  ],
  uk: ['підтвердження', 'входу'],
  el: ['επαληθευση~2', 'ταυτοποιηση~2'],
  he: ['אימות', 'האימות', 'כניסה', 'הכניסה', 'הזדהות'],
  fa: ['تایید', 'تاييد', 'ورود', 'یکبار', 'پویا'],
  ar: ['التحقق', 'تحقق', 'التفعيل', 'الدخول'],
  id: ['verifikasi', 'konfirmasi'],
  vi: ['xac thuc', 'xac nhan', 'xac minh', 'dang nhap', 'kich hoat'],
};

const IMPERATIVE: Record<string, readonly string[]> = {
  en: ['enter', 'use', 'type', 'input', 'key in', 'submit', 'paste', 'copy'],
  de: ['eingeben', 'gib', 'geben', 'verwenden', 'verwende', 'nutze', 'nutzen'],
  fr: ['saisissez', 'saisir', 'entrez', 'utilisez', 'utiliser', 'saisis'],
  es: ['introduce', 'introduzca', 'ingrese', 'ingresa', 'ingresar', 'usa', 'utiliza', 'digite'],
  pt: ['insira', 'digite', 'informe', 'use', 'utilize'],
  it: ['inserisci', 'inserire', 'usa', 'utilizza', 'digita'],
  nl: ['voer', 'gebruik'],
  sv: ['ange', 'anvand', 'skriv'],
  pl: ['wpisz', 'uzyj', 'wprowadz', 'podaj'],
  cs: ['zadejte', 'pouzijte'],
  ru: ['введите', 'используйте', 'укажите', 'vvedite'],
  tr: ['girin', 'giriniz', 'kullanin', 'kullaniniz'],
  he: ['הזן', 'הזינו', 'הקלד', 'הקלידו'],
  fa: ['وارد'],
  ar: ['ادخل'],
  vi: ['nhap'],
};

/** Modifiers written right before a code word: "promo code", "bar code". */
const NEGMOD: Record<string, readonly string[]> = {
  en: [
    'promo',
    'promotional',
    'promotion',
    'coupon',
    'discount',
    'voucher',
    'gift',
    'purchase',
    'referral',
    'invite',
    'invitation',
    'bar',
    'zip',
    'postal',
    'post',
    'area',
    'country',
    'dialing',
    'tracking',
    'order',
    'booking',
    'reservation',
    'product',
    'item',
    'redeem',
    'redemption',
    'offer',
    'sale',
    'error',
    'status',
    'source',
    'qr',
    'swift',
    'ifsc',
    'sort',
    'branch',
    'tax',
    'dress',
    'cheat',
    'reward~1',
    'bonus',
    'pickup',
    'parking',
    'door',
    'gate',
    'wifi',
    'wi fi',
    'wlan',
    'network',
    'router',
    'hotspot',
    'puk',
    'ussd',
    'short',
    'ticket',
    'seat',
    'serial',
    'model',
    'sku',
    'color',
    'colour',
    'cashback',
  ],
  de: ['rabatt', 'gutschein', 'aktions', 'geschenk'],
  es: ['cupon'],
  ru: ['скидка', 'скидки', 'промо'],
  tr: ['indirim', 'kampanya', 'hediye'],
  pl: ['rabatowy'],
};

/** Modifiers written right after a code word: "código promocional", "code promo", "kod rabatowy". */
const AFTER: Record<string, readonly string[]> = {
  all: [
    'promo',
    'promocional~1',
    'promotionnel~1',
    'promozionale',
    'sconto',
    'descuento',
    'desconto',
    'rabatowy',
    'rabatu',
    'скидки',
    'indirim',
    'reduction',
    'postal',
    'postale',
    'barras',
    'barres',
    'qr',
    'swift',
    'reserva',
    'pedido',
    'rastreo',
    'rastreamento',
    'seguimiento',
    'suivi',
    'envio',
    'regalo',
    'cadeau',
    'conduct',
    'conduite',
    'رهگیری',
    'پیگیری',
    'تخفیف',
    'هدیه',
    'الخصم',
    'הנחה',
    'קופון',
    'קופה',
  ],
};

const PROMO: Record<string, readonly string[]> = {
  en: [
    'promo~1',
    'promotion~1',
    'promotional',
    'coupon~1',
    'discount~2',
    'voucher~1',
    'sale',
    'sales',
    'cashback',
    'redeem~2',
    'deal~1',
    'offer~1',
    'checkout',
  ],
  de: ['rabatt~1', 'gutschein~2', 'angebot~1'],
  fr: ['reduction~1', 'remise', 'soldes', 'offre~1'],
  es: ['descuento~1', 'oferta~1', 'cupon~2', 'rebaja~1'],
  pt: ['desconto~1', 'promocao', 'oferta~1', 'cupom'],
  it: ['sconto~1', 'offerta~1', 'saldi'],
  nl: ['korting~2', 'aanbieding~2'],
  ru: ['скидка~2', 'скидку', 'акция~2', 'промокод~2'],
  tr: ['indirim~2', 'kampanya~2', 'kupon~2'],
  pl: ['rabat~2', 'promocja~2', 'wyprzedaz'],
  vi: ['giam gia', 'khuyen mai'],
  fa: ['تخفیف', 'حراج'],
  he: ['הנחה', 'מבצע'],
};

const AMOUNT: Record<string, readonly string[]> = {
  en: [
    'amount~1',
    'total',
    'sum',
    'price',
    'balance',
    'bal',
    'paid',
    'payment~1',
    'charge~2',
    'debit~2',
    'credited',
    'spent',
    'spend',
    'cost~1',
    'fee~1',
    'transfer~2',
    'withdrawal',
    'deposit~2',
  ],
  de: ['betrag~1', 'summe', 'zahlung~2', 'uberweisung'],
  fr: ['montant', 'achat~1', 'paiement', 'solde'],
  es: ['importe', 'monto', 'valor', 'compra', 'pago', 'saldo'],
  pt: ['valor', 'compra', 'pagamento'],
  it: ['importo', 'totale', 'pagamento'],
  nl: ['bedrag'],
  sv: ['belopp'],
  da: ['belob'],
  pl: ['kwota~2', 'saldo'],
  tr: ['tutar~2', 'bakiye~2', 'tutarinda', 'tutarli'],
  ru: [
    'сумма~2',
    'суммы',
    'перевод~2',
    'списание~2',
    'оплата~2',
    'баланс~2',
    'остаток~2',
    'perevod',
    'summa',
  ],
  vi: ['so tien', 'so du'],
  fa: ['مبلغ', 'مانده', 'موجودی', 'واریز', 'برداشت'],
  ar: ['مبلغ', 'المبلغ', 'رصيد'],
  he: ['סכום', 'יתרה'],
};

const CURRENCY: Record<string, readonly string[]> = {
  all: [
    'usd',
    'eur',
    'gbp',
    'inr',
    'rs',
    'rub',
    'руб',
    'рублей',
    'рубля',
    'rur',
    'jpy',
    'cny',
    'rmb',
    'twd',
    'ntd',
    'nt',
    'hkd',
    'krw',
    'vnd',
    'vnđ',
    'dong',
    'irr',
    'rial~1',
    'riyal~1',
    'ریال',
    'تومان',
    'tl',
    'pln',
    'zl',
    'brl',
    'mxn',
    'ars',
    'cop',
    'clp',
    'idr',
    'rp',
    'myr',
    'rm',
    'sgd',
    'aud',
    'cad',
    'nzd',
    'chf',
    'sek',
    'nok',
    'dkk',
    'kr',
    'czk',
    'kc',
    'huf',
    'ft',
    'ron',
    'lei',
    'uah',
    'грн',
    'kzt',
    'aed',
    'sar',
    'egp',
    'ngn',
    'kes',
    'zar',
    'php',
    'thb',
    'baht',
    'bdt',
    'pkr',
    'dollar~1',
    'euro~1',
    'pound~1',
    'yen',
    'yuan',
    'rupee~1',
    'lira',
    'dirham~1',
    'dinar~1',
  ],
};

const PHONE: Record<string, readonly string[]> = {
  en: [
    'call~2',
    'phone',
    'tel',
    'telephone',
    'mobile',
    'cell',
    'contact',
    'hotline',
    'helpline',
    'fax',
    'reply',
    'stop',
  ],
  fr: ['appelez', 'appeler', 'telephone'],
  es: ['llame', 'llamar', 'llamanos', 'telefono'],
  pt: ['ligue', 'ligar', 'telefone'],
  it: ['chiama', 'chiamare', 'telefono'],
  de: ['anrufen', 'rufen', 'telefon~2', 'handy', 'mobilnummer', 'rufnummer'],
  ru: ['телефон~2', 'тел', 'звоните', 'позвоните'],
  pl: ['zadzwon', 'telefon~2'],
  tr: ['arayin', 'arayiniz', 'telefon~2'],
  vi: ['so dien thoai', 'dien thoai', 'sdt', 'hotline'],
  fa: ['تماس', 'تلفن'],
  ar: ['اتصل', 'هاتف'],
  he: ['טלפון', 'התקשר', 'התקשרו'],
};

const CARD: Record<string, readonly string[]> = {
  en: [
    'card~1',
    'ending',
    'ends',
    'a c',
    'acct',
    'account~1',
    'acc',
    'iban',
    'debit card',
    'credit card',
    'ending in',
    'ending with',
    'last digits',
  ],
  de: ['konto~2', 'karte~2', 'endziffer~1', 'endet'],
  fr: ['carte~1', 'compte'],
  es: ['tarjeta~1', 'terminada~1', 'cuenta'],
  pt: ['cartao', 'conta'],
  it: ['carta~1', 'conto'],
  ru: ['карта~2', 'карты', 'карте', 'картой', 'счет~2', 'karta~2', 'schet'],
  tr: ['kart~3', 'hesap~3'],
  pl: ['karty', 'karta~2', 'konto~2', 'rachunek~2'],
  nl: ['rekening~2'],
  vi: ['so tai khoan', 'tai khoan', 'stk'],
  fa: ['حساب', 'کارت'],
  ar: ['حساب', 'بطاقة'],
  he: ['כרטיס', 'חשבון'],
};

const ORDER: Record<string, readonly string[]> = {
  en: [
    'order~1',
    'tracking',
    'track',
    'shipment~1',
    'parcel~1',
    'package~1',
    'awb',
    'invoice~1',
    'ticket~1',
    'booking~1',
    'reservation~1',
    'reference',
    'ref',
    'pnr',
    'id',
    'nr',
    'txn',
    'utr',
    'rrn',
    'case',
    'claim',
    'policy',
    'receipt',
    'confirmation number',
    'order number',
    'tracking number',
    'transaction id',
    'reference number',
    'version',
    'ver',
    'build',
    'room',
    'flight',
    'gate',
    'seat',
    'platform',
    'route',
    'bus',
    'train',
  ],
  de: ['bestellung~2', 'bestellnummer', 'sendung~2', 'sendungsnummer', 'auftrag~2', 'rechnung~2'],
  fr: ['commande~1', 'colis', 'facture'],
  es: ['pedido~1', 'envio~1', 'factura'],
  it: ['ordine~1', 'spedizione'],
  ru: ['заказ~3', 'посылка~2', 'трек'],
  tr: ['siparis~4', 'kargo~3'],
  pl: ['zamowienie~2', 'przesylka~2'],
  nl: ['bestelling~2'],
  vi: ['ma gd', 'ma giao dich', 'gd'],
  fa: ['سفارش', 'مرسوله', 'پیگیری', 'رهگیری'],
  he: ['הזמנה', 'משלוח'],
};

const UNIT: Record<string, readonly string[]> = {
  all: [
    'min',
    'mins',
    'minute~1',
    'minuten',
    'minutos',
    'minuti',
    'minut~3',
    'мин',
    'минут~2',
    'минуты',
    'dakika~2',
    'dk',
    'phut',
    'sec',
    'secs',
    'second~1',
    'sek',
    'sekunden',
    'h',
    'hr',
    'hrs',
    'hour~1',
    'heure~1',
    'horas',
    'ore',
    'stunde~1',
    'часа',
    'часов',
    'saat',
    'day~1',
    'jour~1',
    'dias',
    'giorni',
    'tage~1',
    'дней',
    'дня',
    'gun',
    'am',
    'pm',
    'uhr',
    'km',
    'kg',
    'mb',
    'gb',
    'kb',
    'tb',
    'points',
    'pts',
    'point',
    'miles',
    'items',
    'percent',
    'prozent',
    'times',
    'x',
  ],
};

const DATE: Record<string, readonly string[]> = {
  en: [
    'jan',
    'january',
    'feb',
    'february',
    'mar',
    'march',
    'apr',
    'april',
    'may',
    'jun',
    'june',
    'jul',
    'july',
    'aug',
    'august',
    'sep',
    'sept',
    'september',
    'oct',
    'october',
    'nov',
    'november',
    'dec',
    'december',
    'monday',
    'tuesday',
    'wednesday',
    'thursday',
    'friday',
    'saturday',
    'sunday',
  ],
  de: ['januar', 'februar', 'marz', 'mai', 'juni', 'juli', 'oktober', 'dezember'],
  fr: ['janvier', 'fevrier', 'mars', 'avril', 'juin', 'juillet', 'aout', 'septembre', 'octobre', 'novembre'],
  es: ['enero', 'febrero', 'marzo', 'abril', 'mayo', 'junio', 'julio', 'agosto', 'septiembre', 'octubre'],
  ru: ['января', 'февраля', 'марта', 'апреля', 'мая', 'июня', 'июля', 'августа', 'сентября', 'октября'],
};

// CJK and Thai substrings.
const CJK_LISTS: Partial<Record<Role | 'codeSpecific', readonly string[]>> = {
  codeSpecific: [
    '验证码',
    '驗證碼',
    '验证代码',
    '驗證代碼',
    '校验码',
    '校驗碼',
    '效验码',
    '动态码',
    '動態碼',
    '动态密码',
    '動態密碼',
    '动态口令',
    '认证码',
    '認證碼',
    '确认码',
    '確認碼',
    '授权码',
    '授權碼',
    '安全码',
    '安全碼',
    '密码',
    '密碼',
    '口令',
    '激活码',
    '激活碼',
    '短信码',
    '登录码',
    '登入碼',
    '認証コード',
    '確認コード',
    '認証番号',
    '確認番号',
    'ワンタイムパスワード',
    'パスワード',
    '暗証番号',
    'セキュリティコード',
    '認証キー',
    '인증번호',
    '인증코드',
    '확인코드',
    '보안코드',
    '비밀번호',
    '승인코드',
    'รหัสผ่าน',
    'รหัสยืนยัน',
    'รหัส',
  ],
  code: ['コード', '코드'],
  weak: [
    '登录',
    '登錄',
    '登入',
    '登陆',
    '登陸',
    '验证',
    '驗證',
    '认证',
    '認證',
    '注册',
    '註冊',
    '绑定',
    '綁定',
    '身份',
    'ログイン',
    '認証',
    '本人確認',
    'サインイン',
    '로그인',
    '본인확인',
    '인증',
    'ยืนยัน',
  ],
  imperative: ['输入', '輸入', '入力', '입력', '填写', '填寫', 'กรอก'],
  negmod: [
    '优惠码',
    '優惠碼',
    '优惠券',
    '兑换码',
    '兌換碼',
    '邀请码',
    '邀請碼',
    '推荐码',
    '推薦碼',
    '取件码',
    '取件碼',
    '提货码',
    '提貨碼',
    '取餐码',
    '券码',
    '折扣码',
    '礼品码',
    '禮品碼',
    'クーポンコード',
    'プロモーションコード',
    '招待コード',
    '紹介コード',
    '割引コード',
    '쿠폰코드',
    '할인코드',
    '초대코드',
    '추천코드',
    '郵便番号',
    '邮编',
    '邮政编码',
  ],
  promo: [
    '优惠',
    '優惠',
    '折扣',
    '促销',
    '促銷',
    '特价',
    '特價',
    '秒杀',
    '割引',
    'クーポン',
    'セール',
    'キャンペーン',
    '할인',
    '쿠폰',
    'ส่วนลด',
  ],
  amount: [
    '金额',
    '金額',
    '余额',
    '餘額',
    '消费',
    '消費',
    '付款',
    '转账',
    '轉帳',
    '支出',
    '收入',
    '利用金額',
    '금액',
    '잔액',
    '결제',
    'ยอด',
    'จำนวนเงิน',
  ],
  currency: ['元', '円', '圓', '块', '원', '人民币', '美元', '台币', '台幣', '日元', '港币', 'บาท'],
  phone: [
    '电话',
    '電話',
    '手机号',
    '手機號',
    '客服',
    '热线',
    '熱線',
    '致电',
    '致電',
    '拨打',
    '撥打',
    '携帯',
    '전화',
    '휴대폰',
    '연락처',
    'โทร',
  ],
  card: [
    '卡号',
    '卡號',
    '尾号',
    '尾號',
    '后四位',
    '後四位',
    '后四码',
    '後四碼',
    '末四位',
    '末尾',
    '账户',
    '帳戶',
    '账号',
    '帳號',
    '口座',
    '카드',
    '계좌',
    'บัญชี',
  ],
  order: [
    '订单',
    '訂單',
    '单号',
    '單號',
    '运单',
    '運單',
    '快递',
    '快遞',
    '包裹',
    '取件',
    '注文',
    '伝票',
    '問い合わせ番号',
    '予約番号',
    '주문',
    '송장',
    '운송장',
    '예약번호',
    '승인번호',
    '承認番号',
    '流水号',
    '交易序号',
  ],
  date: ['年', '月', '日', '号', '時', '时', '点', '년', '월', '일', '시'],
  unit: [
    '分钟',
    '分鐘',
    '分',
    '秒',
    '小时',
    '小時',
    '天',
    '个',
    '個',
    '次',
    '位',
    '名',
    '件',
    '人',
    '万',
    '萬',
    '亿',
    '億',
    '분',
    '초',
    '시간',
    '개',
    '명',
    '회',
    '時間',
    'นาที',
  ],
};

// ---------------------------------------------------------------------------------------------------------
// Compiled lookup structures.

export interface LexEntry {
  role: Role;
  /** For `code`: the word says which kind of code it is (OTP, password), so promotions do not cancel it. */
  specific: boolean;
  /** Letters allowed after the stem. */
  maxSuffix: number;
  /** Only in capitals or as a camel-case tail. */
  upperOnly: boolean;
}

export interface PhraseEntry {
  words: readonly string[];
  entry: LexEntry;
}

export interface CjkEntry {
  text: string;
  role: Role;
  specific: boolean;
}

/** Roles in priority order when one word carries several (a word is a code word before anything else). */
const ROLE_PRIORITY: readonly Role[] = [
  'code',
  'negmod',
  'after',
  'weak',
  'imperative',
  'promo',
  'amount',
  'currency',
  'phone',
  'card',
  'order',
  'unit',
  'date',
];

type Folder = (word: string) => string;

export interface Lexicon {
  words: Map<string, LexEntry[]>;
  phrases: Map<string, PhraseEntry[]>;
  /**
   * Filter keys of the phrases' first words (see `phraseHeadKey`): a word whose key is absent starts no phrase.
   * Words with characters beyond ASCII in their first three are always tried.
   */
  phraseHeads: Set<number>;
  /** First three characters of every word key: a word that starts otherwise matches no key nor stem. */
  prefix3: Set<string>;
  /** CJK entries by the code of their first character, longest first. */
  cjk: Map<number, CjkEntry[]>;
  maxSuffix: number;
}

/**
 * Case-insensitive key of a word for the phrase filter: its length (capped at 3) and its first three
 * characters (fewer for shorter words); -1 when one of them is not ASCII.
 */
export function phraseHeadKey(length: number, c0: number, c1: number, c2: number): number {
  const n = Math.min(length, 3);
  const a = c0 | 0x20;
  const b = n > 1 ? c1 | 0x20 : 0;
  const c = n > 2 ? c2 | 0x20 : 0;
  if (a >= 128 || b >= 128 || c >= 128) return -1;
  return n * 2_097_152 + a * 16_384 + b * 128 + c;
}

export function buildLexicon(fold: Folder): Lexicon {
  const words = new Map<string, LexEntry[]>();
  const phrases = new Map<string, PhraseEntry[]>();
  let maxSuffix = 0;

  const add = (lists: Record<string, readonly string[]>, role: Role, specific: boolean): void => {
    for (const list of Object.values(lists)) {
      for (const raw of list) {
        let spec = raw;
        let upperOnly = false;
        let suffix = 0;
        if (spec.startsWith('^')) {
          upperOnly = true;
          spec = spec.slice(1);
        }
        const tilde = spec.indexOf('~');
        if (tilde > 0) {
          suffix = Number(spec.slice(tilde + 1));
          spec = spec.slice(0, tilde);
        }
        maxSuffix = Math.max(maxSuffix, suffix);
        const entry: LexEntry = { role, specific, maxSuffix: suffix, upperOnly };
        const parts = spec.split(' ').map(fold);
        if (parts.length > 1) {
          const first = parts[0] ?? '';
          const list2 = phrases.get(first) ?? [];
          list2.push({ words: parts, entry });
          phrases.set(first, list2);
          continue;
        }
        const key = parts[0] ?? '';
        const existing = words.get(key) ?? [];
        existing.push(entry);
        existing.sort((a, b) => ROLE_PRIORITY.indexOf(a.role) - ROLE_PRIORITY.indexOf(b.role));
        words.set(key, existing);
      }
    }
  };

  add(CODE_SPECIFIC, 'code', true);
  add(CODE_GENERIC, 'code', false);
  add(WEAK, 'weak', true);
  add(IMPERATIVE, 'imperative', false);
  add(NEGMOD, 'negmod', false);
  add(AFTER, 'after', false);
  add(PROMO, 'promo', false);
  add(AMOUNT, 'amount', false);
  add(CURRENCY, 'currency', false);
  add(PHONE, 'phone', false);
  add(CARD, 'card', false);
  add(ORDER, 'order', false);
  add(UNIT, 'unit', false);
  add(DATE, 'date', false);
  for (const list of phrases.values()) list.sort((a, b) => b.words.length - a.words.length);

  const cjk = new Map<number, CjkEntry[]>();
  for (const [key, list] of Object.entries(CJK_LISTS)) {
    const role: Role = key === 'codeSpecific' ? 'code' : (key as Role);
    for (const text of list ?? []) {
      const first = text.charCodeAt(0);
      const bucket = cjk.get(first) ?? [];
      bucket.push({ text, role, specific: key === 'codeSpecific' });
      cjk.set(first, bucket);
    }
  }
  // Longest first, so that 优惠码 is seen before 码-less shorter entries and negatives win ties.
  for (const bucket of cjk.values()) bucket.sort((a, b) => b.text.length - a.text.length);
  const phraseHeads = new Set<number>();
  for (const key of phrases.keys()) {
    const head = phraseHeadKey(key.length, key.charCodeAt(0), key.charCodeAt(1), key.charCodeAt(2));
    if (head >= 0) phraseHeads.add(head);
  }
  const prefix3 = new Set<string>();
  for (const [key, entries] of words) {
    if (key.length >= 3) prefix3.add(key.slice(0, 3));
    else if (entries.some((e) => e.maxSuffix > 0)) {
      throw new Error(`lexicon: stem "${key}" is too short to take suffixes`);
    }
  }
  return { words, phrases, phraseHeads, prefix3, cjk, maxSuffix };
}

/** Stop words that are never letter-only codes even when they follow "code:" (code: NONE). */
export const LETTER_STOPWORDS: ReadonlySet<string> = new Set([
  'below',
  'above',
  'here',
  'there',
  'null',
  'none',
  'nil',
  'undefined',
  'invalid',
  'expired',
  'sent',
  'code',
  'please',
  'your',
  'this',
  'that',
  'from',
  'with',
  'will',
  'valid',
  'required',
  'incorrect',
  'wrong',
  'correct',
  'attached',
  'following',
  'shown',
  'inside',
  'unavailable',
  'pending',
  'verified',
  'confirmed',
  'thanks',
  'thank',
  'hello',
  'dear',
  'team',
  'support',
  'welcome',
  'login',
  'verify',
  'password',
]);
