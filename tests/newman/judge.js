// The accreditation collection's own comparison functions over cases from stdin, for
// tests/test_accreditation_judge.py: its removeEmptyObjectsAndArrays (source passed in, as found
// in the collection), and lodash's _.some / _.isEqual, which its scripts call (lodash 4, as in
// the Postman sandbox). Input: {"source": "...", "cases": [[observed, expected], ...]}.
const _ = require("lodash");

let input = "";
process.stdin.setEncoding("utf8");
process.stdin.on("data", (chunk) => (input += chunk));
process.stdin.on("end", () => {
  const { source, cases } = JSON.parse(input);
  const removeEmptyObjectsAndArrays = new Function(`${source}\nreturn removeEmptyObjectsAndArrays;`)();
  const clean = (value) => {
    try {
      return { value: removeEmptyObjectsAndArrays(value) };
    } catch (error) {
      return { error: error.constructor.name };
    }
  };
  const results = cases.map(([observed, expected]) => ({
    clean: clean(expected),
    some: _.some(observed, expected),
    isEqual: _.isEqual(observed[0], expected),
  }));
  process.stdout.write(JSON.stringify(results));
});
