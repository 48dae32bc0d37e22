/// The spec titles this table "Recommended Curve Enumeration"; the attribute and tag say Recommended Curve.
public typealias RecommendedCurve = RecommendedCurveEnumeration
