//! The attributes of the `hotpath` crate. Use them as `#[hotpath::hot_path]` and
//! `#[hotpath::blocking]`; the expansions call into `::hotpath`, so that crate must be a
//! dependency. Written on `proc_macro` alone (no syn/quote: the workspace builds offline).

use proc_macro::{Delimiter, Group, Ident, Literal, Punct, Spacing, Span, TokenStream, TokenTree};

/// The body of the function is a hot section named `module_path::function`. See `hotpath::hot_path`.
#[proc_macro_attribute]
pub fn hot_path(attr: TokenStream, item: TokenStream) -> TokenStream {
    mark(attr, item, Kind::HotPath)
}

/// Calling the function inside a hot section is a violation naming it. See `hotpath::blocking`.
#[proc_macro_attribute]
pub fn blocking(attr: TokenStream, item: TokenStream) -> TokenStream {
    mark(attr, item, Kind::Blocking)
}

#[derive(Clone, Copy)]
enum Kind {
    HotPath,
    Blocking,
}

impl Kind {
    fn attr(self) -> &'static str {
        match self {
            Kind::HotPath => "#[hotpath::hot_path]",
            Kind::Blocking => "#[hotpath::blocking]",
        }
    }
}

/// `compile_error!(msg)` pointing at `span`, followed by the item unchanged (so the only error
/// the user sees is this one, not the missing function's).
fn error(span: Span, msg: &str, item: TokenStream) -> TokenStream {
    let mut lit = Literal::string(msg);
    lit.set_span(span);
    let mut bang = Punct::new('!', Spacing::Alone);
    bang.set_span(span);
    let mut args = Group::new(Delimiter::Parenthesis, TokenTree::Literal(lit).into());
    args.set_span(span);
    let mut semi = Punct::new(';', Spacing::Alone);
    semi.set_span(span);
    let mut out: TokenStream = [
        TokenTree::Ident(Ident::new("compile_error", span)),
        TokenTree::Punct(bang),
        TokenTree::Group(args),
        TokenTree::Punct(semi),
    ]
    .into_iter()
    .collect();
    out.extend(item);
    out
}

fn mark(attr: TokenStream, item: TokenStream, kind: Kind) -> TokenStream {
    if let Some(t) = attr.into_iter().next() {
        return error(t.span(), &format!("{} takes no arguments", kind.attr()), item);
    }
    let tokens: Vec<TokenTree> = item.clone().into_iter().collect();

    // The signature's top-level tokens: attributes (`#` and a bracket group), visibility,
    // qualifiers (`const`, `async`, `unsafe`, `extern "C"`), then `fn name`.
    let mut async_span = None;
    let mut fn_at = None;
    for (i, t) in tokens.iter().enumerate() {
        if let TokenTree::Ident(id) = t {
            match id.to_string().as_str() {
                "async" => async_span = Some(id.span()),
                "fn" => {
                    fn_at = Some(i);
                    break;
                }
                _ => {}
            }
        }
    }
    let Some(fn_at) = fn_at else {
        let span = tokens.first().map_or_else(Span::call_site, |t| t.span());
        return error(span, &format!("{} applies to a function", kind.attr()), item);
    };
    let name = match tokens.get(fn_at + 1) {
        Some(TokenTree::Ident(id)) => id.to_string(),
        _ => return error(tokens[fn_at].span(), "expected the function's name after `fn`", item),
    };
    let name = name.strip_prefix("r#").unwrap_or(&name).to_string();
    if let (Kind::HotPath, Some(span)) = (kind, async_span) {
        return error(
            span,
            "#[hotpath::hot_path] cannot mark an `async fn`: a section belongs to the thread that \
             entered it, and one held across `.await` would belong to whichever thread polls the \
             future next (and cover other tasks' work on this one). Enter sections in the \
             synchronous code between awaits (`let _s = hotpath::enter(\"name\");`), or mark the \
             synchronous functions it calls.",
            item,
        );
    }
    let body = match tokens.last() {
        Some(TokenTree::Group(g)) if g.delimiter() == Delimiter::Brace && tokens.len() > fn_at + 2 => g.clone(),
        _ => {
            return error(
                tokens[fn_at].span(),
                &format!("{} needs a function with a body", kind.attr()),
                item,
            )
        }
    };

    let section = format!("::core::concat!(::core::module_path!(), \"::\", \"{name}\", \"\\0\")");
    let prelude = match kind {
        Kind::HotPath => format!("let __hotpath_section = ::hotpath::__private::enter_static({section});"),
        Kind::Blocking => format!("::hotpath::__blocking!({section});"),
    };
    let prelude: TokenStream = prelude.parse().expect("the prelude is valid Rust");
    // Mixed-site hygiene: the guard's name cannot clash with the user's identifiers. (Debug info
    // puts the expansion at the attribute's line: a #[blocking] report's first frame shows it.)
    let prelude: TokenStream = prelude.into_iter().map(|t| respan(t, Span::mixed_site())).collect();

    // Inner attributes (`#![allow(..)]`) must stay first in the body.
    let inner: Vec<TokenTree> = body.stream().into_iter().collect();
    let mut split = 0;
    while let (Some(TokenTree::Punct(p)), Some(TokenTree::Punct(q)), Some(TokenTree::Group(g))) =
        (inner.get(split), inner.get(split + 1), inner.get(split + 2))
    {
        if p.as_char() == '#' && q.as_char() == '!' && g.delimiter() == Delimiter::Bracket {
            split += 3;
        } else {
            break;
        }
    }
    let mut new_body: TokenStream = inner[..split].iter().cloned().collect();
    new_body.extend(prelude);
    new_body.extend(inner[split..].iter().cloned());
    let mut group = Group::new(Delimiter::Brace, new_body);
    group.set_span(body.span());

    let mut out: TokenStream = tokens[..tokens.len() - 1].iter().cloned().collect();
    out.extend([TokenTree::Group(group)]);
    out
}

fn respan(t: TokenTree, span: Span) -> TokenTree {
    match t {
        TokenTree::Group(g) => {
            let mut n = Group::new(g.delimiter(), g.stream().into_iter().map(|t| respan(t, span)).collect());
            n.set_span(span);
            TokenTree::Group(n)
        }
        mut other => {
            other.set_span(span);
            other
        }
    }
}
