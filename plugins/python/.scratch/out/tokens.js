"use strict";
Object.defineProperty(exports, "__esModule", { value: true });
exports.strings = exports.trackIndent = exports.indentation = exports.newlines = void 0;
/**
 * External tokenizers of the Python grammar (indentation, newlines, string
 * contents), ported from @lezer/python 1.1.19 (MIT) with two changes: no
 * Python 2 `print` statement, and a dedent to a column that matches no
 * enclosing block is turned into an unexpected indent so that the parser
 * reports CPython's IndentationError instead of silently accepting it.
 */
const lr_1 = require("@lezer/lr");
const parser_terms_1 = require("./parser.terms");
const newline = 10, carriageReturn = 13, space = 32, tab = 9, hash = 35, braceOpen = 123, braceClose = 125, singleQuote = 39, doubleQuote = 34, backslash = 92, letterO = 111, letterX = 120, letterN = 78, letterU = 117, letterUpperU = 85;
const bracketed = new Set([
    parser_terms_1.ParenthesizedExpression, parser_terms_1.TupleExpression, parser_terms_1.ComprehensionExpression, parser_terms_1.importList, parser_terms_1.ArgList, parser_terms_1.ParamList,
    parser_terms_1.ArrayExpression, parser_terms_1.ArrayComprehensionExpression, parser_terms_1.subscript, parser_terms_1.WithItems,
    parser_terms_1.SetExpression, parser_terms_1.SetComprehensionExpression, parser_terms_1.FormatString, parser_terms_1.FormatReplacement, parser_terms_1.nestedFormatReplacement,
    parser_terms_1.DictionaryExpression, parser_terms_1.DictionaryComprehensionExpression,
    parser_terms_1.SequencePattern, parser_terms_1.MappingPattern, parser_terms_1.PatternArgList, parser_terms_1.TypeParamList,
]);
function isLineBreak(ch) {
    return ch === newline || ch === carriageReturn;
}
function isHex(ch) {
    return (ch >= 48 && ch <= 57) || (ch >= 65 && ch <= 70) || (ch >= 97 && ch <= 102);
}
// Flags used in Context objects
const cxBracketed = 1, cxString = 2, cxDoubleQuote = 4, cxLong = 8, cxRaw = 16, cxFormat = 32;
class Context {
    parent;
    indent;
    flags;
    hash;
    constructor(parent, indent, flags) {
        this.parent = parent;
        this.indent = indent;
        this.flags = flags;
        this.hash = (parent ? (parent.hash + parent.hash) << 8 : 0) + indent + (indent << 4) + flags + (flags << 6);
    }
}
const topIndent = new Context(null, 0, 0);
function countIndent(text) {
    let depth = 0;
    for (let i = 0; i < text.length; i++)
        depth += text.charCodeAt(i) === tab ? 8 - (depth % 8) : 1;
    return depth;
}
/** True when some enclosing block starts at `depth`, so dedenting to it is legal. */
function isOuterIndent(context, depth) {
    for (let c = context.parent; c; c = c.parent) {
        if (c.flags)
            return false;
        if (c.indent === depth)
            return true;
        if (c.indent < depth)
            return false;
    }
    return depth === 0;
}
exports.newlines = new lr_1.ExternalTokenizer((input, stack) => {
    let prev;
    const context = stack.context;
    if (input.next < 0) {
        input.acceptToken(parser_terms_1.eof);
    }
    else if (context.flags & cxBracketed) {
        if (isLineBreak(input.next))
            input.acceptToken(parser_terms_1.newlineBracketed, 1);
    }
    else if (((prev = input.peek(-1)) < 0 || isLineBreak(prev)) && stack.canShift(parser_terms_1.blankLineStart)) {
        let spaces = 0;
        while (input.next === space || input.next === tab) {
            input.advance();
            spaces++;
        }
        if (input.next === newline || input.next === carriageReturn || input.next === hash) {
            input.acceptToken(parser_terms_1.blankLineStart, -spaces);
        }
    }
    else if (isLineBreak(input.next)) {
        input.acceptToken(parser_terms_1.newline, 1);
    }
}, { contextual: true });
exports.indentation = new lr_1.ExternalTokenizer((input, stack) => {
    const context = stack.context;
    if (context.flags)
        return;
    const prev = input.peek(-1);
    if (prev === newline || prev === carriageReturn) {
        let depth = 0, chars = 0;
        for (;;) {
            if (input.next === space)
                depth++;
            else if (input.next === tab)
                depth += 8 - (depth % 8);
            else
                break;
            input.advance();
            chars++;
        }
        if (depth !== context.indent && input.next !== newline && input.next !== carriageReturn && input.next !== hash) {
            if (depth < context.indent && isOuterIndent(context, depth))
                input.acceptToken(parser_terms_1.dedent, -chars);
            else
                input.acceptToken(parser_terms_1.indent);
        }
    }
});
const stringFlags = new Map([
    [parser_terms_1.stringStart, 0],
    [parser_terms_1.stringStartD, cxDoubleQuote],
    [parser_terms_1.stringStartL, cxLong],
    [parser_terms_1.stringStartLD, cxLong | cxDoubleQuote],
    [parser_terms_1.stringStartR, cxRaw],
    [parser_terms_1.stringStartRD, cxRaw | cxDoubleQuote],
    [parser_terms_1.stringStartRL, cxRaw | cxLong],
    [parser_terms_1.stringStartRLD, cxRaw | cxLong | cxDoubleQuote],
    [parser_terms_1.stringStartF, cxFormat],
    [parser_terms_1.stringStartFD, cxFormat | cxDoubleQuote],
    [parser_terms_1.stringStartFL, cxFormat | cxLong],
    [parser_terms_1.stringStartFLD, cxFormat | cxLong | cxDoubleQuote],
    [parser_terms_1.stringStartFR, cxFormat | cxRaw],
    [parser_terms_1.stringStartFRD, cxFormat | cxRaw | cxDoubleQuote],
    [parser_terms_1.stringStartFRL, cxFormat | cxRaw | cxLong],
    [parser_terms_1.stringStartFRLD, cxFormat | cxRaw | cxLong | cxDoubleQuote],
].map(([term, flags]) => [term, flags | cxString]));
exports.trackIndent = new lr_1.ContextTracker({
    start: topIndent,
    reduce(context, term) {
        if (((context.flags & cxBracketed) && bracketed.has(term)) ||
            ((term === parser_terms_1.String || term === parser_terms_1.FormatString) && (context.flags & cxString))) {
            return context.parent ?? topIndent;
        }
        return context;
    },
    shift(context, term, stack, input) {
        // `read` exists on lezer's InputStream but is not in its public typings.
        if (term === parser_terms_1.indent)
            return new Context(context, countIndent(input.read(input.pos, stack.pos)), 0);
        if (term === parser_terms_1.dedent)
            return context.parent ?? topIndent;
        if (term === parser_terms_1.ParenL || term === parser_terms_1.BracketL || term === parser_terms_1.BraceL || term === parser_terms_1.replacementStart) {
            return new Context(context, 0, cxBracketed);
        }
        const flags = stringFlags.get(term);
        if (flags !== undefined)
            return new Context(context, 0, flags | (context.flags & cxBracketed));
        return context;
    },
    hash(context) {
        return context.hash;
    },
});
exports.strings = new lr_1.ExternalTokenizer((input, stack) => {
    const { flags } = stack.context;
    const quote = flags & cxDoubleQuote ? doubleQuote : singleQuote;
    const long = (flags & cxLong) > 0;
    const escapes = !(flags & cxRaw);
    const format = (flags & cxFormat) > 0;
    const start = input.pos;
    for (;;) {
        if (input.next < 0) {
            break;
        }
        else if (format && input.next === braceOpen) {
            if (input.peek(1) === braceOpen) {
                input.advance(2);
            }
            else {
                if (input.pos === start) {
                    input.acceptToken(parser_terms_1.replacementStart, 1);
                    return;
                }
                break;
            }
        }
        else if (escapes && input.next === backslash) {
            if (input.pos === start) {
                input.advance();
                const escaped = input.next;
                if (escaped >= 0) {
                    input.advance();
                    skipEscape(input, escaped);
                }
                input.acceptToken(parser_terms_1.Escape);
                return;
            }
            break;
        }
        else if (input.next === backslash && !escapes && input.peek(1) > -1) {
            // Raw strings still ignore escaped quotes.
            input.advance(2);
        }
        else if (input.next === quote && (!long || (input.peek(1) === quote && input.peek(2) === quote))) {
            if (input.pos === start) {
                input.acceptToken(parser_terms_1.stringEnd, long ? 3 : 1);
                return;
            }
            break;
        }
        else if (input.next === newline) {
            if (long) {
                input.advance();
            }
            else if (input.pos === start) {
                input.acceptToken(parser_terms_1.stringEnd);
                return;
            }
            break;
        }
        else {
            input.advance();
        }
    }
    if (input.pos > start)
        input.acceptToken(parser_terms_1.stringContent);
});
function skipEscape(input, ch) {
    if (ch === letterO) {
        for (let i = 0; i < 2 && input.next >= 48 && input.next <= 55; i++)
            input.advance();
    }
    else if (ch === letterX) {
        for (let i = 0; i < 2 && isHex(input.next); i++)
            input.advance();
    }
    else if (ch === letterU) {
        for (let i = 0; i < 4 && isHex(input.next); i++)
            input.advance();
    }
    else if (ch === letterUpperU) {
        for (let i = 0; i < 8 && isHex(input.next); i++)
            input.advance();
    }
    else if (ch === letterN) {
        if (input.next === braceOpen) {
            input.advance();
            // A function call, so that TypeScript does not keep the narrowing across advance().
            const next = () => input.next;
            while (next() >= 0 && next() !== braceClose && next() !== singleQuote &&
                next() !== doubleQuote && next() !== newline)
                input.advance();
            if (next() === braceClose)
                input.advance();
        }
    }
}
