using System.Linq.Expressions;
using System.Reflection;
using System.Runtime.ExceptionServices;

namespace Werkly.VectorIndex.VectorData.Filtering;

/// <summary>
/// Replaces every part of a filter that does not depend on the record — captured variables, member and static
/// fields, <c>new[] { … }</c>, <c>new DateTime(…)</c>, nullable <c>.Value</c> — by its value, so the translator
/// sees only record properties, constants and operators.
/// </summary>
/// <remarks>Captured fields and properties are read by reflection (fast, the common case); anything else that does not
/// reference the record is evaluated by the expression interpreter. An exception the user's code throws while being
/// evaluated (for example <see cref="InvalidOperationException"/> from <c>.Value</c> of a null <c>int?</c>) surfaces
/// as itself. Values of by-ref-like types (spans, from C# 14's <c>MemoryExtensions.Contains</c>) are left in place.</remarks>
internal sealed class ConstantFolder(ParameterExpression record) : ExpressionVisitor
{
    private HashSet<Expression>? _referencing;

    /// <summary>Folds <paramref name="body"/>: one pass marks the nodes that reference the record, one pass folds the rest.</summary>
    public Expression Fold(Expression body)
    {
        var marker = new ReferenceMarker(record);
        marker.Visit(body);
        _referencing = marker.Referencing;
        return Visit(body)!;
    }

    public override Expression? Visit(Expression? node)
    {
        if (node is null or ConstantExpression or ParameterExpression or LambdaExpression) return base.Visit(node);
        if (node.Type.IsByRefLike || node.Type == typeof(void) || References(node)) return base.Visit(node);
        return node switch
        {
            MemberExpression member => FoldMember(member),
            _ => Expression.Constant(Evaluate(node), node.Type),
        };
    }

    private Expression FoldMember(MemberExpression member)
    {
        var target = member.Expression is null ? null : Visit(member.Expression);
        if (target is not (null or ConstantExpression)) return member.Update(target);
        var instance = (target as ConstantExpression)?.Value;
        try
        {
            var value = member.Member switch
            {
                FieldInfo field => field.GetValue(instance),
                PropertyInfo property when instance is null && !property.GetMethod!.IsStatic =>
                    throw new InvalidOperationException($"Cannot read '{property.Name}' of a null object in the filter."),
                PropertyInfo property => property.GetValue(instance),
                _ => Evaluate(member),
            };
            return Expression.Constant(value, member.Type);
        }
        catch (TargetInvocationException ex) when (ex.InnerException is not null)
        {
            ExceptionDispatchInfo.Capture(ex.InnerException).Throw();
            throw;
        }
    }

    private static object? Evaluate(Expression node)
    {
        try
        {
            return Expression.Lambda<Func<object?>>(Expression.Convert(node, typeof(object))).Compile(preferInterpretation: true)();
        }
        catch (TargetInvocationException ex) when (ex.InnerException is not null)
        {
            ExceptionDispatchInfo.Capture(ex.InnerException).Throw();
            throw;
        }
    }

    private bool References(Expression node)
    {
        if (_referencing is not null) return _referencing.Contains(node);
        var marker = new ReferenceMarker(record);
        marker.Visit(node);
        return marker.Referencing.Contains(node);
    }

    /// <summary>Collects every node whose subtree reads the record parameter, in one walk.</summary>
    private sealed class ReferenceMarker(ParameterExpression record) : ExpressionVisitor
    {
        private bool _found;

        public HashSet<Expression> Referencing { get; } = new(ReferenceEqualityComparer.Instance);

        public override Expression? Visit(Expression? node)
        {
            if (node is null) return null;
            var outer = _found;
            _found = false;
            base.Visit(node);
            if (_found) Referencing.Add(node);
            _found |= outer;
            return node;
        }

        protected override Expression VisitParameter(ParameterExpression node)
        {
            if (node == record) _found = true;
            return node;
        }
    }
}
