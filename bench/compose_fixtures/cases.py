# ruff: noqa: E501  (subgraph schemas read best on one line)
"""Hand-written composition cases: what the audit suites do not cover (`features`) and the common
composition errors (`errors`). Each case is its subgraphs, `(name, sdl)`, composed in the order
`@apollo/composition` uses (by name); routing URLs are `http://<name>.example/graphql`."""

from __future__ import annotations

FED = '@link(url: "https://specs.apollo.dev/federation/v{version}", import: [{imports}])'


def fed2(imports: str, version: str = "2.3") -> str:
    quoted = ", ".join(f'"@{name}"' for name in imports.split())
    return "extend schema " + FED.format(version=version, imports=quoted) + "\n"


CASES: dict[tuple[str, str], list[tuple[str, str]]] = {}


def case(group: str, name: str, *subgraphs: tuple[str, str]) -> None:
    CASES[(group, name)] = list(subgraphs)


# --- features ------------------------------------------------------------------------------------

case(
    "features",
    "descriptions",
    (
        "a",
        fed2("key shareable")
        + '''
"""
The root of all queries: a description that is long enough to be printed on more than one line.
"""
type Query {
  "A product by its id."
  product(
    "The id."
    id: ID!
    "Unused."
    locale: String = "nl"
  ): Product
  products: [Product!]! @shareable
}

"A product."
type Product @key(fields: "id") {
  "The id."
  id: ID!
  "The name, with \\"quotes\\"."
  name: String @shareable
  """
  Price in euro cents.
  Never negative.
  """
  price: Int
}
''',
    ),
    (
        "b",
        fed2("key shareable")
        + """
type Query {
  "All products."
  products: [Product!]! @shareable
}

"A thing that is sold."
type Product @key(fields: "id") {
  id: ID!
  "The name, with \\"quotes\\"."
  name: String @shareable
  "Weight in grams."
  weight: Float
}
""",
    ),
    (
        "c",
        fed2("key shareable")
        + """
"A product."
type Product @key(fields: "id") {
  "The identifier."
  id: ID!
  "The name."
  name: String @shareable
  "Café, naïve, 10 €: text that is not ASCII."
  label: String
}
""",
    ),
)

case(
    "features",
    "enums-and-inputs",
    (
        "a",
        fed2("key shareable")
        + """
type Query {
  search(filter: Filter!, order: Order = ASC): [Item!]!
  colour: Colour
  sizes: [Size!]
}

enum Order { ASC DESC }

"Used for output only: all values of all subgraphs."
enum Colour { RED GREEN }

"Used as input and output."
enum Size { S M L }

enum Unused { ONE TWO }

input Filter {
  text: String
  limit: Int = 10
  "Only in a."
  onlyA: Boolean
  size: Size
}

type Item @key(fields: "id") {
  id: ID!
  size(preferred: Size): Size
}
""",
    ),
    (
        "b",
        fed2("key shareable")
        + """
type Query {
  find(filter: Filter, order: Order): [Item!]!
  colours: [Colour!]!
}

enum Order { ASC DESC RANDOM }

enum Colour { GREEN BLUE @deprecated(reason: "No longer made.") }

enum Size { S M L }

enum Unused { TWO THREE }

input Filter {
  text: String
  limit: Int = 10
  size: Size
  "Only in b."
  onlyB: [String!]
}

type Item @key(fields: "id") {
  id: ID!
  colour: Colour
}
""",
    ),
)

case(
    "features",
    "roots-and-interfaces",
    (
        "a",
        fed2("key shareable")
        + """
schema { query: RootQuery mutation: RootMutation }

type RootQuery {
  node(id: ID!): Node
  media: [Media!]! @shareable
}

type RootMutation {
  rename(id: ID!, name: String!): Book
}

interface Node { id: ID! }

interface Named implements Node { id: ID! name: String }

type Book implements Node & Named @key(fields: "id") {
  id: ID!
  name: String
  pages: Int
}

union Media = Book

type Subscription {
  bookAdded: Book
}
""",
    ),
    (
        "b",
        fed2("key shareable")
        + """
type Query {
  media: [Media!]! @shareable
}

type Mutation {
  addMovie(title: String!): Movie
}

interface Node { id: ID! }

type Movie implements Node @key(fields: "id") {
  id: ID!
  title: String!
}

type Book @key(fields: "id") {
  id: ID!
  movie: Movie
}

union Media = Movie | Book
""",
    ),
)

case(
    "features",
    "tags-and-inaccessible",
    (
        "a",
        fed2("key tag inaccessible shareable")
        + """
type Query @tag(name: "public") {
  user(id: ID! @tag(name: "arg")): User @tag(name: "public") @tag(name: "users")
  internal: Secret @inaccessible
}

type User @key(fields: "id") @tag(name: "entity") {
  id: ID!
  name: String @shareable @tag(name: "pii")
  role: Role @tag(name: "public")
}

type Secret @inaccessible {
  code: String
}

enum Role @tag(name: "roles") {
  ADMIN @inaccessible
  USER @tag(name: "value")
}

input Search @tag(name: "input") {
  text: String @tag(name: "inputField")
}

scalar Date @tag(name: "scalar")

union Thing @tag(name: "union") = User
""",
    ),
    (
        "b",
        fed2("key tag inaccessible shareable")
        + """
type User @key(fields: "id") @tag(name: "entity") {
  id: ID!
  name: String @shareable @tag(name: "pii") @tag(name: "b-only")
  born: Date @inaccessible
}

scalar Date @tag(name: "scalar")

enum Role { ADMIN USER }
""",
    ),
)

case(
    "features",
    "progressive-override",
    (
        "a",
        fed2("key", "2.7")
        + """
type Query {
  product(id: ID!): Product
}

type Product @key(fields: "id") {
  id: ID!
  price: Int
  stock: Int
}
""",
    ),
    (
        "b",
        fed2("key override", "2.7")
        + """
type Product @key(fields: "id") {
  id: ID!
  price: Int @override(from: "a", label: "percent(25)")
  stock: Int @override(from: "a", label: "stock-migration")
}
""",
    ),
)

case(
    "features",
    "auth",
    (
        "a",
        fed2("key authenticated requiresScopes policy shareable", "2.6")
        + """
type Query {
  me: User @authenticated
  users: [User!]! @requiresScopes(scopes: [["users:read"], ["admin"]])
  audit: [String!] @policy(policies: [["auditor"]])
}

type User @key(fields: "id") @authenticated {
  id: ID!
  email: String @requiresScopes(scopes: [["users:email"]]) @shareable
}

scalar Secret @requiresScopes(scopes: [["secret"]])

enum Level @authenticated { LOW HIGH }
""",
    ),
    (
        "b",
        fed2("key requiresScopes policy shareable", "2.6")
        + """
type User @key(fields: "id") {
  id: ID!
  email: String @requiresScopes(scopes: [["users:email", "mail"]]) @shareable @policy(policies: [["owner"]])
  level: Level
  secret: Secret
}

scalar Secret

enum Level { LOW HIGH }
""",
    ),
)

case(
    "features",
    "cost",
    (
        "a",
        fed2("key cost listSize", "2.9")
        + """
type Query {
  products(first: Int = 10, after: String): ProductPage @listSize(slicingArguments: ["first"], sizedFields: ["items"])
  expensive: Int @cost(weight: 50)
}

type ProductPage {
  items: [Product!]!
  total: Int
}

type Product @key(fields: "id") @cost(weight: 2) {
  id: ID!
  related(limit: Int @cost(weight: 3)): [Product!] @listSize(assumedSize: 5)
}
""",
    ),
    (
        "b",
        fed2("key cost", "2.9")
        + """
type Product @key(fields: "id") {
  id: ID!
  reviews: [String!] @cost(weight: 7)
}

input Filter { min: Int @cost(weight: 1) }

scalar Money @cost(weight: 4)

enum Currency @cost(weight: 1) { EUR USD }

type Query { cheapest(filter: Filter): Product }
""",
    ),
)

case(
    "features",
    "compose-directive",
    (
        "a",
        """
extend schema
  @link(url: "https://specs.apollo.dev/federation/v2.3", import: ["@key", "@composeDirective"])
  @link(url: "https://example.com/hello/v1.0", import: ["@hello"])
  @composeDirective(name: "@hello")

directive @hello(to: String!) on FIELD_DEFINITION | OBJECT

type Query {
  greeting: String @hello(to: "world")
  item: Item
}

type Item @key(fields: "id") @hello(to: "items") {
  id: ID!
}
""",
    ),
    (
        "b",
        """
extend schema
  @link(url: "https://specs.apollo.dev/federation/v2.3", import: ["@key", "@composeDirective"])
  @link(url: "https://example.com/hello/v1.0", import: ["@hello"])
  @composeDirective(name: "@hello")

directive @hello(to: String!) on FIELD_DEFINITION | OBJECT

type Item @key(fields: "id") {
  id: ID!
  name: String @hello(to: "names")
}
""",
    ),
)

case(
    "features",
    "executable-directives",
    (
        "a",
        fed2("key")
        + """
directive @lowercase on FIELD
directive @trace(level: Int = 1) repeatable on FIELD | QUERY
directive @onlyA on FIELD
directive @custom(note: String) on FIELD_DEFINITION | OBJECT

type Query {
  hello: String @custom(note: "not composed: no @composeDirective")
}
""",
    ),
    (
        "b",
        fed2("key")
        + """
directive @lowercase on FIELD | FRAGMENT_SPREAD
directive @trace(level: Int = 1) on FIELD | QUERY | MUTATION

type Query {
  world: String
}
""",
    ),
)

case(
    "features",
    "entities",
    (
        "a",
        fed2("key shareable external provides requires")
        + """
type Query {
  review(id: ID!): Review
}

type Review @key(fields: "id") {
  id: ID!
  author: User @provides(fields: "name address { city }")
  product: Product
}

type User @key(fields: "id") @key(fields: "email") {
  id: ID!
  email: String!
  name: String @external
  address: Address @external
}

type Address @shareable {
  city: String
  street: String
}

type Product @key(fields: "sku vendor { id }", resolvable: false) {
  sku: String!
  vendor: Vendor!
}

type Vendor @key(fields: "id", resolvable: false) {
  id: ID!
}
""",
    ),
    (
        "b",
        fed2("key shareable external requires")
        + """
type Query {
  user(id: ID!): User
  products: [Product!]!
}

type User @key(fields: "id") @key(fields: "email") {
  id: ID!
  email: String!
  name: String @shareable
  address: Address @shareable
  nickname(upper: Boolean = false): String
}

type Address @shareable {
  city: String
  street: String
}

type Product @key(fields: "sku vendor { id }") {
  sku: String!
  vendor: Vendor!
  weight: Int @external
  shipping: Int @requires(fields: "weight")
}

type Vendor @key(fields: "id") {
  id: ID!
  name: String
}
""",
    ),
    (
        "c",
        fed2("key shareable")
        + """
type Product @key(fields: "sku vendor { id }") {
  sku: String!
  vendor: Vendor!
  weight: Int
}

type Vendor @key(fields: "id", resolvable: false) {
  id: ID!
}
""",
    ),
)

case(
    "features",
    "field-type-subtyping",
    (
        "a",
        fed2("key shareable")
        + """
type Query {
  things(first: Int!): [Thing] @shareable
  count: Int! @shareable
  pet: Pet @shareable
}

interface Pet { name: String }
type Dog implements Pet @shareable { name: String }

type Thing @shareable {
  name: String!
  tags: [String!]!
}
""",
    ),
    (
        "b",
        fed2("key shareable")
        + """
type Query {
  things(first: Int): [Thing!] @shareable
  count: Int @shareable
  pet: Dog @shareable
}

interface Pet { name: String }
type Dog implements Pet @shareable { name: String }

type Thing @shareable {
  name: String
  tags: [String]
}
""",
    ),
)

case(
    "features",
    "fed1-value-types",
    (
        "accounts",
        """
type Query {
  me: User
}

type User @key(fields: "id") {
  id: ID!
  name: String
  address: Address
}

type Address {
  city: String
}

interface Node {
  id: ID!
}
""",
    ),
    (
        "reviews",
        """
extend type Query {
  topReviews: [Review]
}

type Review @key(fields: "id") {
  id: ID!
  body: String
  author: User @provides(fields: "name")
}

extend type User @key(fields: "id") {
  id: ID! @external
  name: String @external
  reviews: [Review]
  address: Address
}

type Address {
  city: String
}

interface Node {
  id: ID!
}
""",
    ),
)

case(
    "features",
    "context",
    (
        "a",
        fed2("key context fromContext", "2.8")
        + """
type Query {
  user(id: ID!): User
}

type User @key(fields: "id") @context(name: "userContext") {
  id: ID!
  locale: String!
  greeting: Greeting
}

type Greeting @key(fields: "id") {
  id: ID!
  text(locale: String @fromContext(field: "$userContext { locale }")): String
}
""",
    ),
    (
        "b",
        fed2("key", "2.8")
        + """
type Greeting @key(fields: "id") {
  id: ID!
  emoji: String
}
""",
    ),
)

case(
    "features",
    "deprecations-and-defaults",
    (
        "a",
        fed2("key shareable")
        + """
type Query {
  list(first: Int = 20, filter: [String!] = ["a", "b"], options: Options = {depth: 2, flag: true}): [String] @deprecated(reason: "Use page.")
  page(size: Float = 1.5, mode: Mode = FAST): [String] @shareable
  old: String @deprecated
}

enum Mode { FAST SLOW @deprecated(reason: "Too slow") }

input Options {
  depth: Int = 1
  flag: Boolean
  name: String = "x\\ny"
}

scalar Url @specifiedBy(url: "https://tools.ietf.org/html/rfc3986")
""",
    ),
    (
        "b",
        fed2("key shareable")
        + """
type Query {
  page(size: Float = 1.5, mode: Mode = FAST): [String] @shareable
  url: Url
}

enum Mode { FAST SLOW }

scalar Url @specifiedBy(url: "https://tools.ietf.org/html/rfc3986")
""",
    ),
)

case(
    "features",
    "interface-entities",
    (
        "a",
        fed2("key interfaceObject shareable", "2.3")
        + """
type Query {
  media: [Media!]!
}

interface Media @key(fields: "id") {
  id: ID!
  title: String!
}

type Book implements Media @key(fields: "id") {
  id: ID!
  title: String!
}

type Movie implements Media @key(fields: "id") {
  id: ID!
  title: String!
}
""",
    ),
    (
        "b",
        fed2("key interfaceObject", "2.3")
        + """
type Media @key(fields: "id") @interfaceObject {
  id: ID!
  reviews: [String!]!
}
""",
    ),
)

# --- errors --------------------------------------------------------------------------------------

case(
    "errors",
    "field-type-mismatch",
    ("a", fed2("shareable") + "type Query { x: Int @shareable }"),
    ("b", fed2("shareable") + "type Query { x: String @shareable }"),
)

case(
    "errors",
    "non-shareable-field",
    ("a", fed2("key") + 'type Query { a: Int } type T @key(fields: "id") { id: ID! name: String }'),
    ("b", fed2("key") + 'type Query { b: Int } type T @key(fields: "id") { id: ID! name: String }'),
)

case(
    "errors",
    "non-shareable-value-type",
    ("a", fed2("key") + "type Query { a: V } type V { x: Int }"),
    ("b", fed2("key") + "type Query { b: V } type V { x: Int }"),
)

case(
    "errors",
    "key-unknown-field",
    ("a", fed2("key") + 'type Query { t: T } type T @key(fields: "uuid") { id: ID! }'),
)

case(
    "errors",
    "key-on-union-field",
    ("a", fed2("key") + 'type Query { t: T } union U = T type T @key(fields: "u { __typename }") { id: ID! u: U }'),
)

case(
    "errors",
    "key-with-arguments",
    ("a", fed2("key") + 'type Query { t: T } type T @key(fields: "id") { id(format: String): ID! }'),
)

case(
    "errors",
    "unknown-type",
    ("a", fed2("key") + "type Query { t: Thing }"),
)

case(
    "errors",
    "requires-unknown-field",
    (
        "a",
        fed2("key external requires")
        + 'type Query { t: T } type T @key(fields: "id") { id: ID! total: Int @requires(fields: "price") }',
    ),
)

case(
    "errors",
    "requires-not-external",
    (
        "a",
        fed2("key external requires")
        + 'type Query { t: T } type T @key(fields: "id") { id: ID! price: Int total: Int @requires(fields: "price") }',
    ),
)

case(
    "errors",
    "provides-not-external",
    (
        "a",
        fed2("key external provides")
        + 'type Query { t: T @provides(fields: "name") } type T @key(fields: "id") { id: ID! name: String }',
    ),
)

case(
    "errors",
    "provides-on-scalar",
    ("a", fed2("key external provides") + 'type Query { n: String @provides(fields: "length") }'),
)

case(
    "errors",
    "external-unused",
    ("a", fed2("key external") + 'type Query { t: T } type T @key(fields: "id") { id: ID! name: String @external }'),
)

case(
    "errors",
    "external-missing-on-base",
    (
        "a",
        fed2("key external provides")
        + 'type Query { t: T @provides(fields: "name") } type T @key(fields: "id") { id: ID! name: String @external }',
    ),
    ("b", fed2("key") + 'type T @key(fields: "id") { id: ID! }'),
)

case(
    "errors",
    "type-kind-mismatch",
    ("a", fed2("key") + "type Query { a: T } type T { x: Int }"),
    ("b", fed2("key") + "type Query { b: T } interface T { x: Int }"),
)

case(
    "errors",
    "enum-value-mismatch",
    ("a", fed2("key") + "type Query { a(e: E): E } enum E { X Y }"),
    ("b", fed2("key") + "type Query { b: E } enum E { X }"),
)

case(
    "errors",
    "empty-merged-input",
    ("a", fed2("key") + "type Query { a(i: I): Int } input I { x: Int }"),
    ("b", fed2("key") + "type Query { b(i: I): Int } input I { y: Int }"),
)

case(
    "errors",
    "required-input-field-missing",
    ("a", fed2("key") + "type Query { a(i: I): Int } input I { x: Int! y: Int }"),
    ("b", fed2("key") + "type Query { b(i: I): Int } input I { y: Int }"),
)

case(
    "errors",
    "required-argument-missing",
    ("a", fed2("shareable") + "type Query { a(x: Int!, y: Int): Int @shareable }"),
    ("b", fed2("shareable") + "type Query { a(y: Int): Int @shareable }"),
)

case(
    "errors",
    "argument-type-mismatch",
    ("a", fed2("shareable") + "type Query { a(x: Int): Int @shareable }"),
    ("b", fed2("shareable") + "type Query { a(x: String): Int @shareable }"),
)

case(
    "errors",
    "argument-default-mismatch",
    ("a", fed2("shareable") + "type Query { a(x: Int = 1): Int @shareable }"),
    ("b", fed2("shareable") + "type Query { a(x: Int = 2): Int @shareable }"),
)

case(
    "errors",
    "override-from-self",
    (
        "a",
        fed2("key override") + 'type Query { t: T } type T @key(fields: "id") { id: ID! x: Int @override(from: "a") }',
    ),
)

case(
    "errors",
    "override-both-ways",
    (
        "a",
        fed2("key override") + 'type Query { t: T } type T @key(fields: "id") { id: ID! x: Int @override(from: "b") }',
    ),
    ("b", fed2("key override") + 'type T @key(fields: "id") { id: ID! x: Int @override(from: "a") }'),
)

case(
    "errors",
    "extension-with-no-base",
    ("a", fed2("key") + "type Query { a: Int } extend type T { x: Int }"),
)

case(
    "errors",
    "no-queries",
    ("a", fed2("key") + 'type T @key(fields: "id") { id: ID! }'),
)

case(
    "errors",
    "interface-field-no-implementation",
    (
        "a",
        fed2("key shareable") + "type Query { i: I } interface I { x: Int } type A implements I @shareable { x: Int }",
    ),
    ("b", fed2("key shareable") + "interface I { x: Int y: Int } type B implements I { x: Int y: Int }"),
)

case(
    "errors",
    "unknown-link-import",
    ("a", fed2("key sharable") + "type Query { a: Int }"),
)

case(
    "errors",
    "unknown-federation-version",
    ("a", fed2("key", "2.99") + "type Query { a: Int }"),
)

case(
    "errors",
    "invalid-graphql",
    ("a", fed2("key") + "type Query { a: Int a: String }"),
)

case(
    "errors",
    "referenced-inaccessible",
    ("a", fed2("inaccessible") + "type Query { a: Secret } type Secret @inaccessible { x: Int }"),
)

case(
    "errors",
    "interface-object-without-interface",
    ("a", fed2("key interfaceObject") + 'type Query { m: M } type M @key(fields: "id") @interfaceObject { id: ID! }'),
)

case(
    "errors",
    "key-on-interface-before-2.3",
    ("a", fed2("key", "2.2") + 'type Query { i: I } interface I @key(fields: "id") { id: ID! }'),
)

# --- more features -------------------------------------------------------------------------------

case(
    "features",
    "cache-tag",
    (
        "a",
        fed2("key cacheTag", "2.12")
        + """
type Query {
  product(id: ID!): Product @cacheTag(format: "product-{$args.id}")
}

type Product @key(fields: "id") @cacheTag(format: "product-{$key.id}") {
  id: ID!
  name: String
}
""",
    ),
    (
        "b",
        fed2("key cacheTag", "2.12")
        + """
type Product @key(fields: "id") @cacheTag(format: "product-{$key.id}") @cacheTag(format: "stock") {
  id: ID!
  stock: Int
}
""",
    ),
)

case(
    "features",
    "fed1-extensions",
    (
        "inventory",
        """
extend type Product @key(fields: "upc") {
  upc: String! @external
  weight: Int @external
  price: Int @external
  inStock: Boolean
  shippingEstimate: Int @requires(fields: "price weight")
}

extend type Query {
  stock(upc: String!): Product
}
""",
    ),
    (
        "products",
        """
type Product @key(fields: ["upc"]) @key(fields: "sku") {
  upc: String!
  sku: String!
  name: String
  price: Int
  weight: Int
  dimensions: Dimensions
}

type Dimensions {
  width: Int
  height: Int
}

type Query {
  topProducts(first: Int = 5): [Product]
}
""",
    ),
    (
        "reviews",
        """
type Review @key(fields: "id") {
  id: ID!
  body: String
  product: Product @provides(fields: "name upc")
}

extend type Product @key(fields: "upc") {
  upc: String! @external
  name: String @external
  reviews: [Review]
  dimensions: Dimensions
}

type Dimensions {
  width: Int
  height: Int
}

interface Node @key(fields: "id") {
  id: ID!
}
""",
    ),
)

case(
    "features",
    "mixed-federation-versions",
    (
        "legacy",
        """
type Query {
  users: [User]
}

type User @key(fields: "id") {
  id: ID!
  name: String
}
""",
    ),
    (
        "modern",
        fed2("key shareable external provides", "2.0")
        + """
type User @key(fields: "id") {
  id: ID!
  name: String @shareable
  email: String
}
""",
    ),
    (
        "newest",
        fed2("key override", "2.7")
        + """
type User @key(fields: "id") {
  id: ID!
  age: Int
  email: String @override(from: "modern")
}
""",
    ),
)

case(
    "features",
    "graph-names",
    ("accounts-v2", fed2("key") + 'type Query { a: Int } type User @key(fields: "id") { id: ID! }'),
    ("accounts_v2", fed2("key") + 'type User @key(fields: "id") { id: ID! b: Int }'),
    ("2fa", fed2("key") + 'type User @key(fields: "id") { id: ID! twoFactor: Boolean }'),
    ("shard_1", fed2("key") + 'type User @key(fields: "id") { id: ID! shard: Int }'),
)

case(
    "features",
    "schema-level-and-values",
    (
        "a",
        """
extend schema
  @link(url: "https://specs.apollo.dev/federation/v2.3", import: ["@key", "@tag", "@shareable", "@inaccessible"])
  @tag(name: "team-a")

"The root of everything."
type Query {
  items(filter: Filter = {kinds: [BOOK], limit: 3, label: "x"}): [Item!]! @deprecated(reason: "Use search.")
  search(term: String @deprecated(reason: "unused"), after: ID = 12): [Item!]!
}

input Filter {
  kinds: [Kind!]
  limit: Int
  label: String @deprecated
}

enum Kind {
  "A book."
  BOOK
  MOVIE @deprecated(reason: "Gone.")
  SECRET @inaccessible
}

type Item @key(fields: "id") {
  id: ID!
  kind: Kind
  score: Float @deprecated(reason: "Use rank.") @shareable
}
""",
    ),
    (
        "b",
        """
extend schema
  @link(url: "https://specs.apollo.dev/federation/v2.3", import: ["@key", "@tag", "@shareable", "@inaccessible"])
  @tag(name: "team-b")

type Query {
  item(id: ID!): Item
}

enum Kind {
  "A printed book."
  BOOK
  MOVIE @deprecated(reason: "Retired.")
  SECRET @inaccessible
}

type Item @key(fields: "id") {
  id: ID!
  score: Float @deprecated(reason: "Use ranking.") @shareable
  rank: Int
}
""",
    ),
)

case(
    "features",
    "requires-with-arguments",
    (
        "a",
        fed2("key shareable", "2.3")
        + """
type Query { product: Product }

type Product @key(fields: "id") {
  id: ID!
  price(currency: String! = "EUR"): Int @shareable
}
""",
    ),
    (
        "b",
        fed2("key external requires", "2.3")
        + """
type Product @key(fields: "id") {
  id: ID!
  price(currency: String! = "EUR"): Int @external
  label: String @requires(fields: "price(currency: \\"USD\\")")
}
""",
    ),
)

# --- more errors ---------------------------------------------------------------------------------

case(
    "errors",
    "interface-key-missing-on-implementation",
    (
        "a",
        fed2("key", "2.3")
        + 'type Query { n: Node } interface Node @key(fields: "id") { id: ID! } type A implements Node { id: ID! }',
    ),
)

case(
    "errors",
    "interface-object-and-implementations",
    (
        "a",
        fed2("key", "2.3")
        + 'type Query { n: Node } interface Node @key(fields: "id") { id: ID! } type A implements Node @key(fields: "id") { id: ID! }',
    ),
    (
        "b",
        fed2("key interfaceObject", "2.3")
        + 'type Node @key(fields: "id") @interfaceObject { id: ID! x: Int } type A @key(fields: "id") { id: ID! }',
    ),
)

case(
    "errors",
    "shareable-on-interface-field",
    ("a", fed2("shareable") + "type Query { i: I } interface I { x: Int @shareable } type T implements I { x: Int }"),
)

case(
    "errors",
    "external-on-interface-field",
    ("a", fed2("external") + "type Query { i: I } interface I { x: Int @external } type T implements I { x: Int }"),
)

case(
    "errors",
    "subscription-shareable",
    ("a", fed2("shareable") + "type Query { a: Int } type Subscription { tick: Int @shareable }"),
    ("b", fed2("shareable") + "type Query { b: Int } type Subscription { tick: Int @shareable }"),
)

case(
    "errors",
    "override-label-invalid",
    ("a", fed2("key", "2.7") + 'type Query { t: T } type T @key(fields: "id") { id: ID! x: Int }'),
    (
        "b",
        fed2("key override", "2.7")
        + 'type T @key(fields: "id") { id: ID! x: Int @override(from: "a", label: "percent(101)") }',
    ),
)

case(
    "errors",
    "override-with-requires",
    (
        "a",
        fed2("key external requires")
        + 'type Query { t: T } type T @key(fields: "id") { id: ID! y: Int @external x: Int @requires(fields: "y") }',
    ),
    (
        "b",
        fed2("key override shareable")
        + 'type T @key(fields: "id") { id: ID! y: Int @shareable x: Int @override(from: "a") }',
    ),
    ("c", fed2("key shareable") + 'type T @key(fields: "id") { id: ID! y: Int @shareable }'),
)

case(
    "errors",
    "requires-argument-mismatch",
    (
        "a",
        fed2("key shareable")
        + 'type Query { t: T } type T @key(fields: "id") { id: ID! price(currency: String!): Int @shareable }',
    ),
    (
        "b",
        fed2("key external requires")
        + 'type T @key(fields: "id") { id: ID! price: Int @external label: String @requires(fields: "price") }',
    ),
)

case(
    "errors",
    "enum-empty-input-intersection",
    ("a", fed2("key") + "type Query { a(e: E): Int } enum E { X }"),
    ("b", fed2("key") + "type Query { b(e: E): Int } enum E { Y }"),
)

case(
    "errors",
    "root-type-name-taken",
    ("a", fed2("key") + "schema { query: Root } type Root { a: Int } type Query { b: Int }"),
)

case(
    "errors",
    "provides-unknown-field",
    (
        "a",
        fed2("key external provides")
        + 'type Query { t: T @provides(fields: "nme") } type T @key(fields: "id") { id: ID! name: String @external }',
    ),
    ("b", fed2("key shareable") + 'type T @key(fields: "id") { id: ID! name: String @shareable }'),
)

case(
    "errors",
    "key-alias",
    ("a", fed2("key") + 'type Query { t: T } type T @key(fields: "ident: id") { id: ID! }'),
)

case(
    "errors",
    "fed1-extension-without-base",
    ("a", 'type Query { a: Int } extend type T @key(fields: "id") { id: ID! @external x: Int }'),
)

case(
    "errors",
    "compose-directive-unknown",
    (
        "a",
        """
extend schema
  @link(url: "https://specs.apollo.dev/federation/v2.3", import: ["@key", "@composeDirective"])
  @composeDirective(name: "@hello")

type Query { a: Int }
""",
    ),
)

case(
    "errors",
    "required-inaccessible-argument",
    ("a", fed2("inaccessible") + "type Query { a(x: Int! @inaccessible): Int }"),
)

case(
    "errors",
    "union-member-of-interface-type",
    ("a", fed2("key") + "type Query { u: U } union U = I interface I { x: Int }"),
)

case(
    "errors",
    "wrong-implementation-type",
    (
        "a",
        fed2("shareable") + "type Query { i: I } interface I { x: Int! } type T implements I @shareable { x: String }",
    ),
)

# --- how subgraph libraries print their SDL ------------------------------------------------------

case(
    "features",
    "printed-by-libraries",
    (
        "gqlgen",
        """
extend schema
  @link(url: "https://specs.apollo.dev/federation/v2.3", import: ["@key", "@shareable", "FieldSet", "@external"])

directive @key(fields: FieldSet!, resolvable: Boolean = true) repeatable on OBJECT | INTERFACE
directive @shareable repeatable on OBJECT | FIELD_DEFINITION
directive @external(reason: String) on OBJECT | FIELD_DEFINITION
scalar FieldSet

type Query {
  user(id: ID!): User
}

type User @key(fields: "id", resolvable: true) {
  id: ID!
  name: String @shareable
}

scalar _Any
type _Service { sdl: String }
union _Entity = User

extend type Query {
  _entities(representations: [_Any!]!): [_Entity]!
  _service: _Service!
}
""",
    ),
    (
        "renamed",
        """
extend schema
  @link(url: "https://specs.apollo.dev/federation/v2.3", as: "fed", import: [{name: "@key", as: "@primaryKey"}])

type User @primaryKey(fields: "id") {
  id: ID!
  name: String @fed__shareable
  "Argument descriptions print the field's arguments on their own lines."
  posts(
    "How many."
    first: Int = 10
    after: String
  ): [String!]
}
""",
    ),
    (
        "strawberry",
        """
schema @link(url: "https://specs.apollo.dev/federation/v2.7", import: ["@key", "@shareable", "@extends", "@external"]) {
  query: Query
}

type Query {
  _entities(representations: [_Any!]!): [_Entity]!
  _service: _Service!
  me: User
}

type User @key(fields: "id") @extends {
  id: ID! @external
  name: String @shareable
  nickname: String
}

scalar _Any

type _Service {
  sdl: String!
}

union _Entity = User
""",
    ),
)

case(
    "features",
    "merge-details",
    (
        "a",
        fed2("key shareable tag inaccessible external")
        + '''
type Query {
  point(x: Int, y: Int = 0, z: Int = 1, label: String): Point @shareable
}

"""
Block description with a trailing quote"
"""
type Point @shareable {
  "Same in a and b."
  x: Int
  " Leading space."
  y: Int
  z: Int @tag(name: "z")
}

type Thing @key(fields: "id") @external {
  id: ID!
}

input Where {
  near: PointInput! @tag(name: "near")
  radius: Float = 2.5
  unit: Unit = KM
}

input PointInput { x: Int y: Int }

enum Unit { KM MILES @inaccessible }

type Mutation {
  move(where: Where): Point
}
''',
    ),
    (
        "b",
        fed2("key shareable tag")
        + '''
type Query {
  point(x: Int, y: Int = 0, z: Int): Point @shareable
}

"""
Block description with a trailing quote"
"""
type Point @shareable {
  "Same in a and b."
  x: Int
  "Different."
  y: Int
  z: Int @tag(name: "z") @tag(name: "b")
}

input Where {
  near: PointInput! @tag(name: "near")
  radius: Float = 2.5
  unit: Unit = KM
}

input PointInput { x: Int y: Int z: Int }

enum Unit { KM MILES }
''',
    ),
    (
        "c",
        fed2("key shareable")
        + """
type Point @shareable {
  "Different."
  y: Int
  x: Int
}

type Thing @key(fields: "id") {
  id: ID!
  weight: Int
  volume: Int
}
""",
    ),
)

case(
    "errors",
    "input-default-mismatch",
    ("a", fed2("key") + "type Query { a(i: I): Int } input I { x: Int = 1 }"),
    ("b", fed2("key") + "type Query { b(i: I): Int } input I { x: Int = 2 }"),
)

case(
    "errors",
    "unknown-directive-in-fed1",
    ("a", 'type Query { a: Int @shareable } type T @key(fields: "id") { id: ID! }'),
)

case(
    "errors",
    "import-unknown-type",
    (
        "a",
        'extend schema @link(url: "https://specs.apollo.dev/federation/v2.3", import: ["@key", "FieldSets"]) type Query { a: Int }',
    ),
)

case(
    "errors",
    "link-twice",
    (
        "a",
        'extend schema @link(url: "https://specs.apollo.dev/federation/v2.3", import: ["@key"]) '
        '@link(url: "https://specs.apollo.dev/federation/v2.5", import: ["@shareable"]) type Query { a: Int }',
    ),
)

case(
    "errors",
    "invalid-link-url",
    ("a", 'extend schema @link(url: "https://specs.apollo.dev/federation", import: ["@key"]) type Query { a: Int }'),
)

case(
    "errors",
    "provides-on-external",
    (
        "a",
        fed2("key external provides")
        + 'type Query { t: T } type T @key(fields: "id") { id: ID! u: U @external @provides(fields: "x") } type U @key(fields: "id") { id: ID! x: Int @external }',
    ),
)

case(
    "errors",
    "requires-on-interface",
    (
        "a",
        fed2("key external requires", "2.3")
        + 'type Query { i: I } interface I @key(fields: "id") { id: ID! x: Int y: Int @requires(fields: "x") } type T implements I @key(fields: "id") { id: ID! x: Int @external y: Int @requires(fields: "x") }',
    ),
)

case(
    "errors",
    "duplicate-shareable",
    ("a", fed2("shareable", "2.2") + "type Query { a: Int @shareable @shareable }"),
)

case(
    "errors",
    "key-field-missing-external-in-fed2",
    (
        "a",
        fed2("key") + 'type Query { a: Int } type T @key(fields: "id { sub }") { id: S! } type S { other: Int }',
    ),
)

# --- found by comparing with Apollo on mutated subgraphs -----------------------------------------

case(
    "errors",
    "fed1-interface-key-with-interface-object",
    (
        "a",
        'type Query { n: Node } interface Node @key(fields: "id") { id: ID! } type A implements Node @key(fields: "id") { id: ID! }',
    ),
    ("b", fed2("key interfaceObject", "2.3") + 'type Node @key(fields: "id") @interfaceObject { id: ID! x: Int }'),
)

case(
    "errors",
    "default-uses-inaccessible-value",
    (
        "a",
        fed2("inaccessible")
        + "type Query { friends(kind: Kind = FAMILY): [String] } enum Kind { FRIEND FAMILY @inaccessible }",
    ),
)

case(
    "errors",
    "context-selection-unknown-field",
    (
        "a",
        fed2("key context fromContext", "2.8")
        + 'type Query { u: User } type User @key(fields: "id") @context(name: "ctx") { id: ID! g: G } '
        + 'type G @key(fields: "id") { id: ID! text(locale: String @fromContext(field: "$ctx { locale }")): String }',
    ),
)

case(
    "errors",
    "unknown-directive-and-unknown-interface",
    (
        "a",
        "type Query { a: Int @shareable } type Dog implements Pet @shareable { name: String } type Cat { n: Int @shareable }",
    ),
)

case(
    "errors",
    "directive-location-and-implementation",
    (
        "a",
        'extend schema @link(url: "https://specs.apollo.dev/federation/v2.3", import: ["@shareable"]) @shareable\n'
        "type Query { i: I } interface I { x: Int! } type T implements I { x: String }",
    ),
)

case(
    "errors",
    "fed1-provides-on-external-field",
    (
        "a",
        'type Query { t: T } type T @key(fields: "id") { id: ID! u: U @external @provides(fields: "x") } type U @key(fields: "id") { id: ID! x: Int @external }',
    ),
)

case(
    "features",
    "duplicates-apollo-accepts",
    ("a", fed2("key") + "type Query { f(a: Int, a: Int): Kind } enum Kind { A B A }"),
)

case(
    "errors",
    "unknown-schema-directive-stops-the-build",
    (
        "a",
        "extend schema @shareable\nextend schema @shareable\ntype Query { i: I } interface I { x: Int! } type T implements I { x: String }",
    ),
)

case(
    "errors",
    "link-on-a-field-in-fed1",
    (
        "a",
        'type Query { u: User } type User @key(fields: "id") { id: ID! nickname: String @link(import: ["@key"]) name: String @shareable }',
    ),
)
