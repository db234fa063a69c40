/**
 * Local ESLint rule: no spread or `.apply` into a call's arguments. V8 passes every spread element
 * as one argument on the stack, so `Math.max(...times)`, `out.push(...rows)` or
 * `String.fromCharCode(...bytes)` over an array the input sizes throws RangeError past about
 * 125,000 elements: a hostile trace, manifest or DEX turns into an internal error. Use a loop.
 *
 * Allowed: spreading an array literal (`f(...[a, b])`) and an UPPER_CASE constant (a fixed list the
 * code owns). Anything else that is bounded by construction says why with an eslint-disable comment.
 */
const CONSTANT = /^[A-Z][A-Z0-9_]*$/;

function bounded(argument) {
  if (argument.type === 'ArrayExpression') return true;
  if (argument.type === 'Identifier' && CONSTANT.test(argument.name)) return true;
  if (argument.type === 'MemberExpression' && !argument.computed && argument.property.type === 'Identifier') {
    return CONSTANT.test(argument.property.name);
  }
  return false;
}

export default {
  meta: {
    type: 'problem',
    docs: { description: 'disallow spreads and .apply into call arguments, whose size the input may control' },
    schema: [],
    messages: {
      spread:
        'Spread into call arguments overflows the stack past ~125,000 elements when the input sizes the array; use a loop (or say why it is bounded).',
      apply: '`.apply` with an array argument overflows the stack on input-sized arrays; use a loop (or say why it is bounded).',
    },
  },
  create(context) {
    const check = (node) => {
      for (const argument of node.arguments) {
        if (argument.type === 'SpreadElement' && !bounded(argument.argument)) context.report({ node: argument, messageId: 'spread' });
      }
      const callee = node.callee;
      if (
        node.type === 'CallExpression' &&
        callee.type === 'MemberExpression' &&
        !callee.computed &&
        callee.property.type === 'Identifier' &&
        callee.property.name === 'apply' &&
        node.arguments.length >= 2 &&
        !bounded(node.arguments[1])
      ) {
        context.report({ node, messageId: 'apply' });
      }
    };
    return { CallExpression: check, NewExpression: check };
  },
};
